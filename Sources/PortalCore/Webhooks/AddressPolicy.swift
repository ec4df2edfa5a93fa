import Foundation

/// Which resolved addresses a webhook may be sent to (SSRF guard). Everything that is not a public unicast
/// address is refused — loopback, private, link-local, CGNAT, multicast, unspecified, reserved and documentation
/// ranges, and IPv6 forms that embed such an IPv4 address — unless `PORTAL_WEBHOOKS_ALLOW_PRIVATE=1`. Pure.
public enum AddressPolicy {
    public enum Kind: String, Sendable, Equatable {
        case global, loopback, privateUse, linkLocal, sharedCGNAT, multicast, unspecified, reserved
    }

    /// Whether the environment lets webhooks reach private addresses (development and tests).
    public static func allowsPrivate(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["PORTAL_WEBHOOKS_ALLOW_PRIVATE"] == "1"
    }

    /// The kind of a textual IPv4 or IPv6 address, nil when it is neither.
    public static func classify(_ literal: String) -> Kind? {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            return classify(ipv4: withUnsafeBytes(of: v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return classify(ipv6: withUnsafeBytes(of: v6) { Array($0) })
        }
        return nil
    }

    /// Four bytes in network order.
    public static func classify(ipv4 b: [UInt8]) -> Kind {
        precondition(b.count == 4)
        switch (b[0], b[1]) {
        case (0, _): return .unspecified                       // 0.0.0.0/8 "this network"
        case (127, _): return .loopback
        case (10, _): return .privateUse
        case (172, 16 ... 31), (192, 168): return .privateUse
        case (100, 64 ... 127): return .sharedCGNAT            // 100.64.0.0/10
        case (169, 254): return .linkLocal
        case (224 ... 239, _): return .multicast
        case (240 ... 255, _): return .reserved                // 240/4 and the broadcast address
        case (198, 18 ... 19): return .reserved                // benchmarking 198.18.0.0/15
        default: break
        }
        if b[0] == 192, b[1] == 0, b[2] == 0 || b[2] == 2 { return .reserved }   // IETF protocol assignments, TEST-NET-1
        if b[0] == 198, b[1] == 51, b[2] == 100 { return .reserved }             // TEST-NET-2
        if b[0] == 203, b[1] == 0, b[2] == 113 { return .reserved }              // TEST-NET-3
        return .global
    }

    /// Sixteen bytes in network order.
    public static func classify(ipv6 b: [UInt8]) -> Kind {
        precondition(b.count == 16)
        let firstTen = b[0 ..< 10].allSatisfy { $0 == 0 }
        if b.allSatisfy({ $0 == 0 }) { return .unspecified }
        if firstTen, b[10 ..< 15].allSatisfy({ $0 == 0 }), b[15] == 1 { return .loopback }
        // ::ffff:a.b.c.d (mapped) and the deprecated ::a.b.c.d (compatible) reach the IPv4 address.
        if firstTen, b[10] == 0xff, b[11] == 0xff { return classify(ipv4: Array(b[12...])) }
        if firstTen, b[10] == 0, b[11] == 0 { return .reserved }
        // 64:ff9b::/96 (NAT64) reaches the embedded IPv4 address.
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b, b[4 ..< 12].allSatisfy({ $0 == 0 }) {
            return classify(ipv4: Array(b[12...]))
        }
        if b[0] == 0xff { return .multicast }
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return .linkLocal }          // fe80::/10
        if b[0] == 0xfe, b[1] & 0xc0 == 0xc0 { return .privateUse }         // fec0::/10, deprecated site-local
        if b[0] & 0xfe == 0xfc { return .privateUse }                        // fc00::/7 unique local
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return .reserved }   // 2001:db8::/32 documentation
        if b[0] == 0x20, b[1] == 0x02 {                                      // 6to4 carries an IPv4 address
            return classify(ipv4: Array(b[2 ..< 6])) == .global ? .global : .reserved
        }
        if b[0] == 0x01, b[1 ..< 8].allSatisfy({ $0 == 0 }) { return .reserved }          // 100::/64 discard
        return .global
    }

    /// Whether a delivery may connect to an address of `kind`.
    public static func permits(_ kind: Kind, allowPrivate: Bool) -> Bool {
        kind == .global || allowPrivate
    }
}
