import Foundation

/// One extra question of a program's application form (`programs.application_fields`).
public struct ApplicationField: Sendable, Equatable, Decodable {
    public enum Kind: String, Sendable, Decodable, CaseIterable {
        case text, url, textarea, select
    }

    public let name: String
    public let label: String
    public let type: Kind
    public let required: Bool
    public let options: [String]

    public init(name: String, label: String, type: Kind, required: Bool = false, options: [String] = []) {
        self.name = name
        self.label = label
        self.type = type
        self.required = required
        self.options = options
    }

    enum CodingKeys: String, CodingKey { case name, label, type, required, options }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        label = try container.decodeIfPresent(String.self, forKey: .label) ?? name
        type = try container.decodeIfPresent(Kind.self, forKey: .type) ?? .text
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        options = try container.decodeIfPresent([String].self, forKey: .options) ?? []
    }

    /// The fields of a program, from its JSON; a field that cannot be read (or a repeated name) is left out
    /// rather than breaking the public form.
    public static func parse(_ json: String) -> [ApplicationField] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return [] }
        var fields: [ApplicationField] = []
        for item in array {
            // Only objects: serializing anything else traps in Foundation on Linux.
            guard let object = item as? [String: Any], JSONSerialization.isValidJSONObject(object),
                  let data = try? JSONSerialization.data(withJSONObject: object),
                  let field = try? JSONDecoder().decode(ApplicationField.self, from: data),
                  !field.name.isEmpty, field.name.count <= 60,
                  field.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
                  !fields.contains(where: { $0.name == field.name }),
                  field.type != .select || !field.options.isEmpty else { continue }
            fields.append(field)
        }
        return fields
    }

    /// What is wrong with `value` (already trimmed) as an answer, or nil.
    public func problem(with value: String) -> String? {
        if value.isEmpty { return required ? "Please answer this question." : nil }
        switch type {
        case .text: return value.count > 500 ? "Please keep this under 500 characters." : nil
        case .textarea: return value.count > 5000 ? "Please keep this under 5,000 characters." : nil
        case .url: return NewLink.destinationProblem(value, allowedDomains: []) == nil ? nil : "Enter a web address starting with https:// or http://."
        case .select: return options.contains(value) ? nil : "Choose one of the options."
        }
    }
}

/// The applicant's answers as the JSON object stored in `partners.application_answers` (keys sorted).
public enum ApplicationAnswers {
    public static func json(_ answers: [String: String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
