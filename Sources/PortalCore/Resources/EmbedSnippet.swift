/// The HTML a partner pastes into a site to show a creative that links through the partner's tracking link:
/// `<a href="TRACKING_URL" rel="sponsored"><img src="IMAGE_URL" width="W" height="H" alt="TITLE"></a>`.
/// `rel="sponsored"` is what search engines ask of paid links. Every value is escaped, so a title or URL cannot
/// end an attribute. Pure: no I/O.
public enum EmbedSnippet {
    public static func html(trackingURL: String, imageURL: String, width: Int?, height: Int?, alt: String) -> String {
        var image = "<img src=\"\(MarkupEscaping.escape(imageURL))\""
        if let width, let height { image += " width=\"\(width)\" height=\"\(height)\"" }
        image += " alt=\"\(MarkupEscaping.escape(alt))\">"
        return "<a href=\"\(MarkupEscaping.escape(trackingURL))\" rel=\"sponsored\">\(image)</a>"
    }
}
