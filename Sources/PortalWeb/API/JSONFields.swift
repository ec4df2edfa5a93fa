import Foundation

/// Typed reading of a JSON request object that collects every field's problem for one `422`, instead of
/// stopping at the first. Unknown fields are problems too: a typo in a field name must not pass silently.
struct JSONFields {
    let object: [String: Any]
    private(set) var errors: [String: [String]] = [:]

    init(_ object: [String: Any], allowed: Set<String>) {
        self.object = object
        for name in object.keys where !allowed.contains(name) {
            errors[name, default: []].append("is not a known field")
        }
    }

    /// Whether the field was sent at all (null included): PATCH distinguishes "leave" from "clear".
    func has(_ name: String) -> Bool { object[name] != nil }

    mutating func fail(_ name: String, _ message: String) {
        errors[name, default: []].append(message)
    }

    mutating func string(_ name: String, required: Bool = false, maxLength: Int = 1000) -> String? {
        guard let value = object[name], !(value is NSNull) else {
            if required { fail(name, "is required") }
            return nil
        }
        guard let text = value as? String, !Self.isNumberOrBool(value) else { fail(name, "must be a string"); return nil }
        if text.count > maxLength { fail(name, "must be at most \(maxLength) characters"); return nil }
        return text
    }

    /// A whole number (JSON has no integer type, so `19.99` and `1e3` are refused here rather than truncated).
    mutating func integer(_ name: String, required: Bool = false) -> Int64? {
        guard let value = object[name], !(value is NSNull) else {
            if required { fail(name, "is required") }
            return nil
        }
        guard let number = value as? NSNumber, !Self.isBool(value) else { fail(name, "must be an integer"); return nil }
        let type = String(cString: number.objCType)
        guard type != "d" && type != "f" else {
            fail(name, "must be an integer (money is a count of minor units: 1999 is 19.99)")
            return nil
        }
        // Beyond Int64 (an unsigned 2^63 or more), or exactly Int64.min (which has no positive counterpart, so `abs`
        // would trap): out of range rather than wrapped.
        if type == "Q", number.uint64Value > UInt64(Int64.max) { fail(name, "is out of range"); return nil }
        let whole = number.int64Value
        guard whole != Int64.min else { fail(name, "is out of range"); return nil }
        return whole
    }

    mutating func stringArray(_ name: String, required: Bool = false) -> [String]? {
        guard let value = object[name], !(value is NSNull) else {
            if required { fail(name, "is required") }
            return nil
        }
        guard let array = value as? [Any], array.allSatisfy({ $0 is String && !Self.isNumberOrBool($0) }) else {
            fail(name, "must be an array of strings")
            return nil
        }
        return array.compactMap { $0 as? String }
    }

    mutating func objectValue(_ name: String) -> [String: Any]? {
        guard let value = object[name], !(value is NSNull) else { return nil }
        guard let object = value as? [String: Any] else { fail(name, "must be an object"); return nil }
        return object
    }

    static func isBool(_ value: Any) -> Bool {
        if value is Bool, !(value is NSNumber) { return true }
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func isNumberOrBool(_ value: Any) -> Bool {
        value is NSNumber
    }
}
