import Foundation

/// Counts the whole months a recurring rule looks at (`ConversionFacts.monthsSinceFirstConversion`).
public enum RecurringWindow {
    /// Whole months from `first` to `date` in UTC: a month is complete on the same day of month and time of day
    /// (Jan 15 10:00 → Feb 15 10:00 is 1). When that day does not exist in the later month, the month completes
    /// only on the next month's days (Jan 31 → Feb 28 is still 0, → Mar 1 is 1): the partner is never paid for
    /// a month that has not fully passed. A `date` before `first` counts as 0.
    public static func monthsElapsed(from first: Date, to date: Date) -> Int {
        guard date > first else { return 0 }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let units: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .second, .nanosecond]
        let a = calendar.dateComponents(units, from: first)
        let b = calendar.dateComponents(units, from: date)
        var months = ((b.year ?? 0) - (a.year ?? 0)) * 12 + ((b.month ?? 0) - (a.month ?? 0))
        let startInMonth = [a.day, a.hour, a.minute, a.second, a.nanosecond].map { $0 ?? 0 }
        let endInMonth = [b.day, b.hour, b.minute, b.second, b.nanosecond].map { $0 ?? 0 }
        if endInMonth.lexicographicallyPrecedes(startInMonth) { months -= 1 }
        return max(0, months)
    }
}
