import Glibc

/// Turns parser events into a `MultipartForm`: text parts into memory, file parts straight into fresh files in
/// the upload directory, so no file is ever held whole in memory.
struct MultipartFormBuilder {
    let limits: MultipartLimits
    let uploadDirectory: String
    private var fields: [(String, String)] = []
    private var files: [UploadedFile] = []
    /// Every file created so far, kept or not, so that `abort` can remove them all.
    private var createdPaths: [String] = []

    // The part being read. Plain stored properties rather than an enum with payloads, so that appending to
    // `text` never copies it.
    private var head: MultipartPartHead?
    private var text: [UInt8] = []
    private var descriptor: Int32 = -1
    private var filePath = ""
    private var fileSize: Int64 = 0

    init(limits: MultipartLimits, uploadDirectory: String) {
        self.limits = limits
        self.uploadDirectory = uploadDirectory
    }

    mutating func handle(_ event: MultipartParser.Event) throws {
        switch event {
        case .partBegin(let partHead):
            head = partHead
            if partHead.isFile {
                try createFile()
            } else {
                text.removeAll(keepingCapacity: true)
            }
        case .data(let bytes):
            guard let head else { return }
            if head.isFile {
                fileSize += Int64(bytes.count)
                if fileSize > limits.maxFileSize {
                    throw HTTPError(.contentTooLarge, "The file for \"\(head.name)\" is larger than \(limits.maxFileSize) bytes")
                }
                try writeAll(bytes)
            } else {
                if text.count + bytes.count > limits.maxFieldSize {
                    throw HTTPError(.contentTooLarge, "The field \"\(head.name)\" is longer than \(limits.maxFieldSize) bytes")
                }
                text.append(contentsOf: bytes)
            }
        case .partEnd:
            guard let head else { return }
            self.head = nil
            if let rawFilename = head.filename {
                close(descriptor)
                descriptor = -1
                // An empty file input: browsers send `filename=""` with no content. Nothing was uploaded.
                if rawFilename.isEmpty && fileSize == 0 {
                    unlink(filePath)
                    createdPaths.removeLast()
                    return
                }
                files.append(UploadedFile(fieldName: head.name, filename: UploadedFile.sanitizedFilename(rawFilename),
                                          contentType: head.contentType ?? "application/octet-stream",
                                          path: filePath, size: fileSize))
            } else {
                guard let value = String(validating: text, as: UTF8.self) else {
                    throw HTTPError(.badRequest, "The field \"\(head.name)\" is not valid UTF-8")
                }
                fields.append((head.name, value))
            }
        }
    }

    func finish() -> MultipartForm {
        MultipartForm(fields: FormParameters(pairs: fields), files: files)
    }

    /// Closes the open file, if any, and removes every file created, so a failed upload leaves nothing behind.
    mutating func abort() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        for path in createdPaths { unlink(path) }
        createdPaths.removeAll()
        files.removeAll()
    }

    /// Creates a new file with a random name: the client's filename never reaches the file system.
    /// `O_EXCL` makes sure an existing file (or a planted symlink) is never opened instead.
    private mutating func createFile() throws {
        for _ in 0..<8 {
            let path = "\(uploadDirectory)/upload-\(String(UInt64.random(in: .min ... .max), radix: 16))"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                descriptor = fd
                filePath = path
                fileSize = 0
                createdPaths.append(path)
                return
            }
            if errno != EEXIST { break }
        }
        throw HTTPError(.internalServerError, "Could not store the uploaded file")
    }

    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw HTTPError(.internalServerError, "Could not store the uploaded file")
            }
            remaining -= written
            next += written
        }
    }
}
