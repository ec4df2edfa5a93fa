import Foundation

/// The partner credited with a conversion, and which reference decided it; or no partner.
public enum Attribution: Sendable, Equatable {
    case partner(id: Int64, source: AttributionSource)
    case none

    /// The credited partner, if any.
    public var partnerID: Int64? {
        if case .partner(let id, _) = self { return id }
        return nil
    }

    /// Decides the partner for a conversion, trying in CONTRACTS.md's order: `click_id` → `coupon` →
    /// `customer_id` already attributed → `link_code` → `partner_id`. The first reference that names a
    /// partner who can earn wins.
    ///
    /// - A click is valid when `occurredAt - cookieWindow <= click.time <= occurredAt`: both ends inclusive.
    ///   The lower end matches the cookie, which a browser keeps until `Max-Age` seconds have *passed*
    ///   (RFC 6265 removes cookies whose expiry is in the past); a click after the conversion cannot have
    ///   caused it.
    /// - The model is applied only when a valid `click_id` is present: the candidates are that click and the
    ///   customer's other valid clicks (customer = the conversion's `customer_id`, else the click's own).
    ///   `lastClick` picks the latest, `firstClick` the earliest; on equal times the conversion's own
    ///   `click_id` wins, then the smaller click id, so the answer never depends on lookup order.
    ///   Without a valid `click_id` the customer's clicks are not consulted: the contract's order puts the
    ///   cookie first and then coupon, and we do not invent a step it does not list.
    /// - Partners who cannot earn (pending, rejected, suspended, unknown to the program) are passed over:
    ///   their clicks drop out of the candidates and their coupon, customer, link or id step is skipped, so
    ///   the conversion falls through to the next reference. A suspended partner's stale cookie therefore
    ///   does not block a coupon from an approved partner. Blank references count as absent.
    public static func decide(_ conversion: ConversionReferences, lookups: AttributionLookups) -> Attribution {
        let canEarn: (Int64) -> Bool = { lookups.partnerStatus($0)?.canEarn ?? false }

        if let chosen = creditedClick(conversion, lookups: lookups) {
            return .partner(id: chosen.partnerID, source: .click)
        }
        if let coupon = present(conversion.coupon), let id = lookups.couponPartner(coupon), canEarn(id) {
            return .partner(id: id, source: .coupon)
        }
        if let customer = present(conversion.customerID), let id = lookups.customerPartner(customer), canEarn(id) {
            return .partner(id: id, source: .customer)
        }
        if let code = present(conversion.linkCode), let id = lookups.linkPartner(code), canEarn(id) {
            return .partner(id: id, source: .link)
        }
        if let id = conversion.partnerID, canEarn(id) {
            return .partner(id: id, source: .partner)
        }
        return .none
    }

    /// The click the model credits (the first step of `decide`), or nil when the conversion has no valid
    /// `click_id` or none of the candidate clicks belongs to a partner who can earn. The caller uses it to
    /// file the conversion under that click's link and sub id.
    public static func creditedClick(_ conversion: ConversionReferences, lookups: AttributionLookups) -> TrackedClick? {
        let canEarn: (Int64) -> Bool = { lookups.partnerStatus($0)?.canEarn ?? false }
        guard let clickID = present(conversion.clickID), let click = lookups.click(clickID),
              isValid(click, occurredAt: conversion.occurredAt, window: lookups.cookieWindow) else { return nil }
        let customer = present(conversion.customerID) ?? present(click.customerID)
        let others = customer.map(lookups.customerClicks) ?? []
        let candidates = ([click] + others.filter { $0.id != click.id }).filter {
            isValid($0, occurredAt: conversion.occurredAt, window: lookups.cookieWindow) && canEarn($0.partnerID)
        }
        return choose(candidates, model: lookups.model, preferring: click.id)
    }

    /// Whether `click` can be credited with a conversion at `occurredAt` (both window ends inclusive).
    public static func isValid(_ click: TrackedClick, occurredAt: Int64, window: Int64) -> Bool {
        click.time <= occurredAt && click.time >= occurredAt - window
    }

    /// The model's pick among valid candidates, deterministic on ties.
    static func choose(_ clicks: [TrackedClick], model: AttributionModel, preferring preferred: String) -> TrackedClick? {
        // Rank so that "better" sorts first: by time in the model's direction, then the conversion's own
        // click, then the click id.
        clicks.min { a, b in
            if a.time != b.time { return model == .lastClick ? a.time > b.time : a.time < b.time }
            if (a.id == preferred) != (b.id == preferred) { return a.id == preferred }
            return a.id < b.id
        }
    }

    static func present(_ value: String?) -> String? {
        guard let value else { return nil }
        // Spaces and tabs only, without Foundation's CharacterSet machinery: this runs several times per conversion.
        let bytes = value.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return value }
        return String(value[first...last])
    }
}
