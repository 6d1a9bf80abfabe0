/// An RFC 4180 CSV reader: fields separated by a delimiter (comma by default; police exports often
/// use `;`), records by CRLF or LF, fields optionally enclosed in double quotes, a quote inside a
/// quoted field doubled (`""`). Quoted fields may span lines. Each record remembers the line it
/// starts on, so errors can name it.
public struct CSVParser: Sendable {
    public struct Record: Sendable, Hashable {
        /// 1-based line number where the record starts in the text.
        public var line: Int
        public var fields: [String]
    }

    public var delimiter: Character

    public init(delimiter: Character = ",") { self.delimiter = delimiter }

    /// Parses the whole text. Blank lines are skipped. Throws on an unterminated quoted field or
    /// on characters after a closing quote.
    public func parse(_ text: String) throws(CSVSyntaxError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteLine = 0
        var afterQuote = false   // a quoted field just closed; only a delimiter or end of line may follow
        var fieldStarted = false

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldStarted) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            afterQuote = false
            fieldStarted = false
        }

        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        let delimiterScalar = delimiter.unicodeScalars.first!
        while let c = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let n = scalars.next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = n }
                    } else { inQuotes = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case delimiterScalar:
                fields.append(field)
                field = ""
                afterQuote = false
                fieldStarted = true
            case "\r":
                if let n = scalars.next(), n != "\n" { pending = n }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !afterQuote else {
                    throw CSVSyntaxError(line: line, reason: afterQuote ? "text after a closing quote" : "quote inside an unquoted field")
                }
                inQuotes = true
                quoteLine = line
                fieldStarted = true
            default:
                if afterQuote { throw CSVSyntaxError(line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if inQuotes { throw CSVSyntaxError(line: quoteLine, reason: "quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldStarted { endRecord() }
        return records
    }
}

/// A CSV text that is not well formed.
public struct CSVSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}
