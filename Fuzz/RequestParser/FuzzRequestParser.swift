// libFuzzer entry for the request parser: built by scripts/fuzz-parser together with the parser's sources.
// Every input is parsed twice — whole, and cut into pieces at points drawn from its first bytes — and the
// two runs must agree; any trap, out-of-bounds range or disagreement is a crash libFuzzer keeps.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run(bytes, cuts: [])
    var cuts: [Int] = []
    if let seed = bytes.first, size > 1 {
        var position = 0
        var step = Int(seed % 7) + 1
        while position + step < size {
            position += step
            cuts.append(position)
            step = Int(bytes[position] % 13) + 1
        }
    }
    let pieces = run(bytes, cuts: cuts)
    precondition(whole == pieces, "split parsing disagrees: \(whole) vs \(pieces)")
    return 0
}

/// Parses `bytes` fed in pieces; returns a transcript of events so two runs can be compared.
private func run(_ bytes: [UInt8], cuts: [Int]) -> [String] {
    var limits = ParserLimits()
    limits.maxRequestLineLength = 512
    limits.maxHeaderBytes = 1024
    limits.maxHeaderCount = 16
    limits.maxChunkExtensionLength = 64
    var parser = RequestParser(limits: limits)
    var transcript: [String] = []
    var body: [UInt8] = []
    var start = 0
    for end in cuts + [bytes.count] {
        var piece = Array(bytes[start..<end])
        start = end
        while true {
            var used = 0
            let step: ParseStep
            do {
                step = try parser.parse(piece, consumed: &used)
            } catch {
                transcript.append("error \(error.status.code)")
                return transcript
            }
            precondition(used >= 0 && used <= piece.count, "consumed out of range")
            switch step {
            case .needMore:
                precondition(used == piece.count, "needMore must consume everything")
            case .head(let head):
                transcript.append("head \(head.method) \(head.target) \(head.version) \(head.headers.count) \(head.framing)")
            case .body(let range):
                precondition(range.lowerBound >= 0 && range.upperBound <= used, "body range out of bounds")
                body.append(contentsOf: piece[range])
            case .end:
                transcript.append("end \(body.count) \(body.reduce(0) { $0 &* 31 &+ Int($1) })")
                body.removeAll()
            }
            piece.removeFirst(used)
            if case .needMore = step { break }
        }
    }
    return transcript
}
