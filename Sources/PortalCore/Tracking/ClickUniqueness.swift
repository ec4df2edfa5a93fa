/// Whether a click counts as a unique click: the same visitor on the same link within 24 hours is not.
public enum ClickUniqueness {
    /// How long a visitor's click on a link suppresses further unique clicks on it, in seconds.
    public static let window: Int64 = 24 * 60 * 60

    /// `lastSeen` is the unix time of the visitor's previous click on this link, or nil if none is known.
    /// Exactly 24 h later counts as unique again (the window is half-open). A previous click stamped after
    /// `now` (clock skew between writers) is treated as recent, so skew never inflates unique counts.
    public static func isUnique(now: Int64, lastSeen: Int64?) -> Bool {
        guard let lastSeen else { return true }
        return now - lastSeen >= window
    }
}
