import Store

/// A small, realistic resource library for `portal serve --demo`: SVG banners (with thumbnails and a mobile
/// variant), two content templates, product information, a running and an expired seasonal campaign, training
/// and brand guidelines. Written in the demo seed's transaction; generates everything in memory (fast).
public enum DemoLibrary {
    public static func seed(in db: Database, programID: Int64, now: Int64) throws {
        let store = ResourceStore()
        let day: Int64 = 86_400
        func banner(_ width: Int, _ height: Int, _ headline: String, variant: ResourceFileVariant = .original,
                    name: String) -> NewResourceFile {
            NewResourceFile(variant: variant, contentType: "image/svg+xml", fileName: name, width: width, height: height,
                            data: Array(bannerSVG(width: width, height: height, headline: headline).utf8))
        }

        var leaderboard = NewResource(kind: .creative, title: "Leaderboard banner")
        leaderboard.description = "Top-of-page banner for blogs and review sites."
        leaderboard.campaign = "Evergreen"
        leaderboard.files = [banner(728, 90, "Acme Analytics: know your numbers", name: "acme-leaderboard-728x90.svg"),
                             banner(320, 50, "Acme Analytics", variant: .mobile, name: "acme-leaderboard-320x50.svg")]
        try store.create(in: db, programID: programID, leaderboard, now: now)

        var rectangle = NewResource(kind: .creative, title: "Medium rectangle")
        rectangle.description = "Sidebar banner; works in most ad slots."
        rectangle.campaign = "Evergreen"
        rectangle.position = 1
        rectangle.files = [banner(300, 250, "Try Acme free for 30 days", name: "acme-rectangle-300x250.svg"),
                           banner(150, 125, "Try Acme", variant: .thumbnail, name: "acme-rectangle-thumb.svg")]
        try store.create(in: db, programID: programID, rectangle, now: now)

        var skyscraper = NewResource(kind: .creative, title: "Wide skyscraper")
        skyscraper.campaign = "Evergreen"
        skyscraper.position = 2
        skyscraper.files = [banner(160, 600, "Acme Analytics", name: "acme-skyscraper-160x600.svg")]
        try store.create(in: db, programID: programID, skyscraper, now: now)

        var email = NewResource(kind: .template, title: "Newsletter blurb")
        email.channel = "email"
        email.body = """
            Subject: The analytics tool I use every day

            Hi there,

            I have been using Acme Analytics for a year to see which pages bring in customers. It is simple and fast.
            Try it free for 30 days: [link]
            Use the code [coupon] for 20% off your first year.

            — [partner_name]
            """
        try store.create(in: db, programID: programID, email, now: now)

        var social = NewResource(kind: .template, title: "Social post")
        social.channel = "social"
        social.position = 1
        social.body = "Finally, analytics that answer the question \"what is working?\" in one screen. I recommend Acme Analytics: [link] #analytics"
        try store.create(in: db, programID: programID, social, now: now)

        var product = NewResource(kind: .product, title: "Acme Analytics at a glance")
        product.description = "Plans, prices and who it is for."
        product.body = """
            ## Who it is for
            Small online shops and SaaS teams who want to know **which channels bring paying customers**.

            ## Plans
            - **Starter**: $19/month, 3 sites
            - **Growth**: $49/month, 20 sites, funnels
            - **Scale**: $149/month, unlimited sites, API

            Every plan starts with a 30-day free trial. See the [pricing page](https://example.com/pricing).
            """
        try store.create(in: db, programID: programID, product, now: now)

        var winter = NewResource(kind: .campaign, title: "Winter sale: 30% off annual plans")
        winter.campaign = "Winter sale"
        winter.description = "Runs for four weeks. Mention the end date in your posts."
        winter.body = "Annual plans are **30% off** until the end of the sale. Use the banners below and link to the pricing page."
        winter.startsAt = now - 7 * day
        winter.endsAt = now + 21 * day
        winter.files = [banner(300, 250, "Winter sale: 30% off", name: "acme-winter-300x250.svg")]
        try store.create(in: db, programID: programID, winter, now: now)

        var summer = NewResource(kind: .campaign, title: "Summer launch week")
        summer.campaign = "Summer launch"
        summer.body = "Launch week materials (ended)."
        summer.startsAt = now - 200 * day
        summer.endsAt = now - 190 * day
        try store.create(in: db, programID: programID, summer, now: now)

        var training = NewResource(kind: .training, title: "Getting your first referral")
        training.body = """
            1. Create a tracking link on the **Links** page.
            2. Pick a banner or a template from this library: your link is already in it.
            3. Write about *your own* experience; readers trust specifics.

            Questions? Write to the program team from **Messages**.
            """
        try store.create(in: db, programID: programID, training, now: now)

        var guidelines = NewResource(kind: .guideline, title: "Brand guidelines")
        guidelines.body = """
            ## Do
            - Call the product **Acme Analytics** (not "Acme Stats").
            - Disclose that you earn a commission.

            ## Don't
            - Bid on "Acme Analytics" in search ads.
            - Change the colours or crop the logo in the banners.
            """
        try store.create(in: db, programID: programID, guidelines, now: now)
    }

    /// A flat banner: the brand gradient, a headline and a call to action, side by side on strips (height under
    /// 100) and stacked otherwise.
    public static func bannerSVG(width: Int, height: Int, headline: String) -> String {
        let stacked = height >= 100
        let fontSize = stacked ? max(12, min(width / max(6, headline.count / 2 + 2), height / 8))
                               : max(10, min(height / 3, (width * 2 / 3) / max(4, headline.count * 6 / 10)))
        let (hx, hy, cx, cy) = stacked ? (width / 2, height * 2 / 5, width / 2, height * 3 / 4) : (12, height / 2, width - 12, height / 2)
        let anchor = stacked ? "middle" : "start"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">\
            <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4f46e5"/><stop offset="1" stop-color="#7c3aed"/></linearGradient></defs>\
            <rect width="\(width)" height="\(height)" fill="url(#g)"/>\
            <text x="\(hx)" y="\(hy)" fill="#ffffff" font-family="sans-serif" font-weight="700" font-size="\(fontSize)" \
            dominant-baseline="middle" text-anchor="\(anchor)">\(MarkupEscaping.escape(headline))</text>\
            <text x="\(cx)" y="\(cy)" fill="#fde68a" font-family="sans-serif" font-size="\(max(9, fontSize * 2 / 3))" \
            dominant-baseline="middle" text-anchor="\(stacked ? "middle" : "end")">Learn more ›</text>\
            </svg>
            """
    }
}
