/// Net Promoter Score of 0–10 answers: the percentage of promoters (9–10) minus that of detractors (0–6), from −100
/// to 100, rounded half away from zero (12.5 → 13, −12.5 → −13); nil without answers.
public struct NetPromoterScore: Sendable, Equatable {
    public var responses: Int = 0
    public var promoters: Int = 0
    public var passives: Int = 0
    public var detractors: Int = 0

    public init() {}

    public init(scores: some Sequence<Int>) {
        for score in scores { add(score) }
    }

    /// Counts one answer; values outside 0–10 are ignored.
    public mutating func add(_ score: Int) {
        guard (0...10).contains(score) else { return }
        responses += 1
        if score >= 9 { promoters += 1 } else if score >= 7 { passives += 1 } else { detractors += 1 }
    }

    public var score: Int? {
        guard responses > 0 else { return nil }
        // Integer rounding half away from zero: 100 × (p − d) / n.
        let numerator = 100 * (promoters - detractors)
        let doubled = 2 * numerator.magnitude + UInt(responses)
        let rounded = Int(doubled / (2 * UInt(responses)))
        return numerator < 0 ? -rounded : rounded
    }

    public static func category(_ score: Int) -> String {
        score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor"
    }
}

/// When the portal asks a partner user the NPS question again: never answered or dismissed, or the last answer or
/// dismissal at least `interval` (90 days) ago.
public enum NPSSchedule {
    public static let interval: Int64 = 90 * 86_400

    public static func isDue(lastAnswerOrDismissal: Int64?, now: Int64) -> Bool {
        guard let last = lastAnswerOrDismissal else { return true }
        return now - last >= interval
    }

    /// The longest comment kept (characters).
    public static let maximumComment = 1000

    public enum Failure: Error, Equatable, Sendable {
        case score, comment
        public var message: String {
            switch self {
            case .score: "Choose a score from 0 to 10."
            case .comment: "Keep the comment to \(NPSSchedule.maximumComment) characters."
            }
        }
    }

    /// The form's score (`0`…`10`) and comment (trimmed, at most 1,000 characters), or what is wrong.
    public static func validate(score: String?, comment: String?) -> Result<(score: Int, comment: String), Failure> {
        guard let text = score?.trimmingCharacters(in: .whitespaces), let value = Int(text), (0...10).contains(value) else {
            return .failure(.score)
        }
        let note = (comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= maximumComment else { return .failure(.comment) }
        return .success((value, note))
    }
}

import Foundation
