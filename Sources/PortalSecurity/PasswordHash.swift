/// A parsed scrypt password hash in the PHC string format:
/// `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, salt and hash in standard base64 without padding
/// (https://github.com/P-H-C/phc-string-format; the same layout passlib writes for scrypt).
struct PasswordHash: Sendable, Hashable {
    var parameters: ScryptParameters
    var salt: [UInt8]
    var hash: [UInt8]

    /// Why a stored string was refused. Verification only ever says "no", but tests and logs want the reason.
    enum ParseError: Error, Equatable {
        case tooLong
        case notScrypt
        case malformed(String)
        case overLimit
    }

    /// Far longer than any hash we accept (64-byte salt and key: about 200 characters), so a huge value
    /// is refused before it is split.
    static let maxLength = 256

    init(parameters: ScryptParameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// Parses and checks a PHC string. Rejects anything that is not exactly the canonical form we write,
    /// and any parameters beyond `limits`, without running scrypt.
    init(phc text: String, limits: ScryptLimits) throws(ParseError) {
        guard text.utf8.count <= Self.maxLength else { throw .tooLong }
        let fields = text.utf8.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else { throw .malformed("expected $scrypt$params$salt$hash") }
        guard fields[1].elementsEqual("scrypt".utf8) else { throw .notScrypt }

        let pairs = fields[2].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard pairs.count == 3 else { throw .malformed("expected ln, r and p") }
        let logN = try Self.parameter(pairs[0], named: "ln")
        let r = try Self.parameter(pairs[1], named: "r")
        let p = try Self.parameter(pairs[2], named: "p")

        guard let salt = Base64.decode(String(decoding: fields[3], as: UTF8.self)), !fields[3].contains(UInt8(ascii: "="))
        else { throw .malformed("salt is not unpadded base64") }
        guard let hash = Base64.decode(String(decoding: fields[4], as: UTF8.self)), !fields[4].contains(UInt8(ascii: "="))
        else { throw .malformed("hash is not unpadded base64") }

        let parameters = ScryptParameters(logN: logN, r: r, p: p, saltLength: salt.count, keyLength: hash.count)
        guard limits.allow(parameters) else { throw .overLimit }
        self.init(parameters: parameters, salt: salt, hash: hash)
    }

    /// The canonical PHC string.
    var phcString: String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)"
            + "$\(Base64.encode(salt, padded: false))$\(Base64.encode(hash, padded: false))"
    }

    /// `name=digits`, decimal without sign or leading zeros, at most 4 digits: no value we accept is
    /// larger, and a short cap keeps the arithmetic far from overflow.
    private static func parameter(_ field: Substring.UTF8View, named name: String) throws(ParseError) -> Int {
        let expectedPrefix = Array((name + "=").utf8)
        let bytes = Array(field)
        guard bytes.starts(with: expectedPrefix) else { throw .malformed("expected \(name)=") }
        let digits = bytes.dropFirst(expectedPrefix.count)
        guard !digits.isEmpty, digits.count <= 4,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              digits.first != UInt8(ascii: "0") || digits.count == 1
        else { throw .malformed("\(name) is not a decimal number") }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
