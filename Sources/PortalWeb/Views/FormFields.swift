import HTTPServer

/// The template values of one labelled input with its errors, the shape the admin and portal forms share
/// (`{{#fields}}` with `name`, `label`, `type`, `value`, `help`, `errors`, `invalid`).
enum FormFields {
    static func input(_ name: String, _ label: String, value: String, type: String = "text", help: String? = nil,
                      errors: [String: [String]], extra: [String: Any] = [:]) -> [String: Any] {
        var field: [String: Any] = ["name": name, "label": label, "type": type, "value": value,
                                    "errors": errors[name] ?? [], "invalid": errors[name] != nil]
        if let help { field["help"] = help; field["hasHelp"] = true }
        for (key, item) in extra { field[key] = item }
        return field
    }

    /// `<option>` values with the current one selected.
    static func options(_ choices: [(value: String, label: String)], selected: String) -> [[String: Any]] {
        choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }
    }
}

extension FormParameters {
    /// The first value of each name (a repeated name keeps its first value, as `subscript` does).
    var firstValues: [String: String] {
        var values: [String: String] = [:]
        for pair in self where values[pair.name] == nil { values[pair.name] = pair.value }
        return values
    }
}
