import Foundation

/// The application form editor on `/admin/program/form`: rows of (name, label, type, required, options) submitted as
/// `field_name_0`, `field_label_0`, …; blank rows are dropped, the order of the rows is the order on the public form.
/// Pure, so the rules are tested without a server; `json` writes what `ApplicationField.parse` reads back.
public enum ApplicationFieldsForm {
    /// At most this many extra questions: the public form stays short enough to finish on a phone.
    public static let maximumFields = 20

    public static func parse(_ form: [String: String], rows: Int) -> Result<[ApplicationField], FormErrors> {
        var fields: [ApplicationField] = []
        var errors: [String: [String]] = [:]
        for index in 0..<max(0, min(rows, 100)) {
            func text(_ key: String) -> String { (form["field_\(key)_\(index)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            let label = text("label")
            var name = text("name")
            if label.isEmpty && name.isEmpty { continue }
            let row = "field_\(index)"
            if name.isEmpty { name = slug(label) }
            if label.isEmpty || label.count > 200 { errors[row, default: []].append("Question \(index + 1): enter a question of 1 to 200 characters.") }
            if name.isEmpty || name.count > 60 || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
                errors[row, default: []].append("Question \(index + 1): the key must be 1 to 60 letters, digits, _ or -.")
            } else if fields.contains(where: { $0.name == name }) || ["name", "email", "company", "website", "password", "csrf_token", "terms"].contains(name) {
                errors[row, default: []].append("Question \(index + 1): the key \(name) is already used.")
            }
            guard let kind = ApplicationField.Kind(rawValue: text("type")) else {
                errors[row, default: []].append("Question \(index + 1): choose a kind of answer.")
                continue
            }
            let options = text("options").split(whereSeparator: { $0 == "\n" || $0 == "," })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if kind == .select && options.isEmpty { errors[row, default: []].append("Question \(index + 1): a choice needs options.") }
            if options.count > 50 || options.contains(where: { $0.count > 200 }) {
                errors[row, default: []].append("Question \(index + 1): at most 50 options of up to 200 characters.")
            }
            fields.append(ApplicationField(name: name, label: label, type: kind, required: form["field_required_\(index)"] == "1",
                                           options: kind == .select ? options : []))
        }
        if fields.count > maximumFields { errors["fields", default: []].append("Ask at most \(maximumFields) extra questions.") }
        return errors.isEmpty ? .success(fields) : .failure(FormErrors(fields: errors))
    }

    /// `How did you hear about us?` → `how_did_you_hear_about_us`.
    static func slug(_ label: String) -> String {
        var result = ""
        for character in label.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(character)
            } else if !result.isEmpty && result.last != "_" {
                result.append("_")
            }
            if result.count >= 60 { break }
        }
        while result.hasSuffix("_") { result.removeLast() }
        return result
    }

    /// The JSON array stored in `programs.application_fields`.
    public static func json(_ fields: [ApplicationField]) -> String {
        let array: [[String: Any]] = fields.map { field in
            var object: [String: Any] = ["name": field.name, "label": field.label, "type": field.type.rawValue, "required": field.required]
            if !field.options.isEmpty { object["options"] = field.options }
            return object
        }
        guard let data = try? JSONSerialization.data(withJSONObject: array, options: [.sortedKeys]) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
