import Foundation

/// A request for a tracking link, checked against the program's rules before anything is written.
public struct NewLink: Sendable, Equatable {
    public var destinationURL: String?
    public var campaign: String?
    public var code: String?

    public init(destinationURL: String? = nil, campaign: String? = nil, code: String? = nil) {
        self.destinationURL = destinationURL
        self.campaign = campaign
        self.code = code
    }

    /// Field → messages, in the API's `errors` shape; empty when the request is acceptable.
    public func problems(defaultURL: String, allowedDomains: [String]) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        if let code, !Self.isValidCode(code) {
            errors["code", default: []].append("must be 2 to 64 letters, digits, hyphens or underscores")
        }
        if let campaign, campaign.count > 100 {
            errors["campaign", default: []].append("must be at most 100 characters")
        }
        let destination = destinationURL ?? defaultURL
        if destination.isEmpty {
            errors["destination_url", default: []].append("is required: the program has no default landing page")
        } else if let problem = Self.destinationProblem(destination, allowedDomains: allowedDomains) {
            errors["destination_url", default: []].append(problem)
        }
        return errors
    }

    static func isValidCode(_ code: String) -> Bool {
        (2...64).contains(code.count) && code.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// Only absolute http(s) URLs to an allowed host: a tracking link must not become an open redirect to
    /// anywhere (phishing through the company's own domain).
    static func destinationProblem(_ url: String, allowedDomains: [String]) -> String? {
        guard url.count <= 2000, let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil else {
            return "must be an absolute http or https URL"
        }
        guard !allowedDomains.isEmpty else { return nil }
        let allowed = allowedDomains.contains { domain in
            let domain = domain.lowercased()
            return host == domain || host.hasSuffix("." + domain)
        }
        return allowed ? nil : "must point to one of the program's domains: \(allowedDomains.joined(separator: ", "))"
    }

    /// A random 7-character code from an alphabet without look-alikes.
    public static func randomCode() throws -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<7).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
