import Foundation
import LambdaAsyncCore

/// What CloudWatch Logs would hold of this run: each function's log group (its `LoggingConfig.LogGroup`,
/// else `/aws/lambda/NAME`) with the lines its environments wrote and each invocation's REPORT, kept in
/// memory (the newest 10,000 lines per group) and answered by `FilterLogEvents` at serve's port.
final class FunctionLogs: Sendable {
    struct Event: Sendable {
        let id: Int
        let timestampMs: Int64
        let stream: String
        let message: String
    }

    static let perGroupLimit = 10_000
    private let groups = Locked<[String: [Event]]>([:])
    private let counter = Locked(0)

    func declare(group: String) {
        groups.withLock { $0[group] = $0[group] ?? [] }
    }

    func add(group: String, stream: String, line: String) {
        let id = counter.withLock { value -> Int in
            value += 1
            return value
        }
        let event = Event(id: id, timestampMs: Int64(Date().timeIntervalSince1970 * 1000), stream: stream, message: line)
        groups.withLock { groups in
            var events = groups[group] ?? []
            events.append(event)
            if events.count > Self.perGroupLimit { events.removeFirst(events.count - Self.perGroupLimit) }
            groups[group] = events
        }
    }

    var groupNames: [String] { groups.withLock { $0.keys.sorted() } }

    func events(in group: String) -> [Event]? { groups.withLock { $0[group] } }

    /// The stream name Lambda gives an environment's log: `YYYY/MM/DD/[$LATEST]` and an id.
    static func streamName(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy/MM/dd"
        return "\(formatter.string(from: now))/[$LATEST]" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

/// A CloudWatch Logs filter pattern, as `FilterLogEvents` takes it: terms (all must appear; `?term` any
/// of them; `-term` none; `"a phrase"`), or a JSON pattern over a structured record:
/// `{ ($.field = "value") || ($.other != 3) && $.x = "pre*" }`. Space-delimited patterns (`[a, b]`)
/// are refused rather than matched wrongly.
indirect enum LogFilterPattern: Equatable {
    case all
    case terms(required: [String], anyOf: [String], excluded: [String])
    case json(JSONCondition)

    indirect enum JSONCondition: Equatable {
        case compare(path: [String], equal: Bool, value: String, quoted: Bool)
        case and(JSONCondition, JSONCondition)
        case or(JSONCondition, JSONCondition)
    }

    struct Unsupported: Error { let reason: String }

    static func parse(_ text: String?) throws -> LogFilterPattern {
        let pattern = (text ?? "").trimmingCharacters(in: .whitespaces)
        if pattern.isEmpty { return .all }
        // CloudWatch's own limit; it also bounds the parser's nesting, whatever a client sends.
        guard pattern.count <= 1024 else { throw Unsupported(reason: "a filter pattern has at most 1024 characters (this one has \(pattern.count))") }
        if pattern.hasPrefix("[") {
            throw Unsupported(reason: "space-delimited filter patterns ([...]) are not served locally; use terms or a JSON pattern ({ $.field = \"value\" })")
        }
        if pattern.hasPrefix("{") {
            guard pattern.hasSuffix("}") else { throw Unsupported(reason: "a JSON filter pattern ends with }") }
            var parser = JSONPatternParser(Array(pattern.dropFirst().dropLast()))
            let condition = try parser.expression()
            parser.skipSpaces()
            guard parser.atEnd else { throw Unsupported(reason: "unexpected text in the JSON filter pattern: \(String(parser.rest))") }
            return .json(condition)
        }
        var required: [String] = [], anyOf: [String] = [], excluded: [String] = []
        var index = pattern.startIndex
        while index < pattern.endIndex {
            while index < pattern.endIndex, pattern[index] == " " { index = pattern.index(after: index) }
            guard index < pattern.endIndex else { break }
            var prefix: Character?
            if pattern[index] == "?" || pattern[index] == "-" {
                prefix = pattern[index]
                index = pattern.index(after: index)
            }
            var term = ""
            if index < pattern.endIndex, pattern[index] == "\"" {
                index = pattern.index(after: index)
                while index < pattern.endIndex, pattern[index] != "\"" { term.append(pattern[index]); index = pattern.index(after: index) }
                if index < pattern.endIndex { index = pattern.index(after: index) }
            } else {
                while index < pattern.endIndex, pattern[index] != " " { term.append(pattern[index]); index = pattern.index(after: index) }
            }
            guard !term.isEmpty else { continue }
            switch prefix {
            case "?": anyOf.append(term)
            case "-": excluded.append(term)
            default: required.append(term)
            }
        }
        return .terms(required: required, anyOf: anyOf, excluded: excluded)
    }

    func matches(_ message: String) -> Bool {
        switch self {
        case .all:
            return true
        case .terms(let required, let anyOf, let excluded):
            return required.allSatisfy { message.contains($0) } && (anyOf.isEmpty || anyOf.contains { message.contains($0) })
                && !excluded.contains { message.contains($0) }
        case .json(let condition):
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any] else { return false }
            return Self.evaluate(condition, object)
        }
    }

    private static func evaluate(_ condition: JSONCondition, _ object: [String: Any]) -> Bool {
        switch condition {
        case .and(let left, let right): return evaluate(left, object) && evaluate(right, object)
        case .or(let left, let right): return evaluate(left, object) || evaluate(right, object)
        case .compare(let path, let equal, let value, let quoted):
            var current: Any? = object
            for key in path { current = (current as? [String: Any])?[key] }
            guard let found = current else { return !equal }
            let text: String
            switch found {
            case let string as String: text = string
            case let flag as Bool where type(of: found) == type(of: NSNumber(value: true)): text = flag ? "true" : "false"
            case let number as NSNumber: text = number.stringValue
            default: return !equal
            }
            let same: Bool
            if value.hasSuffix("*") { same = text.hasPrefix(String(value.dropLast())) } else if !quoted, let a = Double(text), let b = Double(value) { same = a == b } else { same = text == value }
            return same == equal
        }
    }
}

/// `expression := term (('&&' | '||') term)*` (left to right, && before ||), `term := '(' expression ')' | $.path op value`.
struct JSONPatternParser {
    private let characters: [Character]
    private var position = 0

    init(_ characters: [Character]) { self.characters = characters }

    var atEnd: Bool { position >= characters.count }
    var rest: ArraySlice<Character> { characters[min(position, characters.count)...] }

    mutating func skipSpaces() {
        while position < characters.count, characters[position] == " " { position += 1 }
    }

    private mutating func take(_ text: String) -> Bool {
        skipSpaces()
        let wanted = Array(text)
        guard position + wanted.count <= characters.count, Array(characters[position..<position + wanted.count]) == wanted else { return false }
        position += wanted.count
        return true
    }

    mutating func expression() throws -> LogFilterPattern.JSONCondition {
        var left = try conjunction()
        while take("||") { left = .or(left, try conjunction()) }
        return left
    }

    private mutating func conjunction() throws -> LogFilterPattern.JSONCondition {
        var left = try term()
        while take("&&") { left = .and(left, try term()) }
        return left
    }

    private mutating func term() throws -> LogFilterPattern.JSONCondition {
        if take("(") {
            let inner = try expression()
            guard take(")") else { throw LogFilterPattern.Unsupported(reason: "a ( without its ) in the JSON filter pattern") }
            return inner
        }
        guard take("$.") else { throw LogFilterPattern.Unsupported(reason: "a JSON filter pattern's terms start with $.field") }
        var path = ""
        while position < characters.count, characters[position].isLetter || characters[position].isNumber
                || characters[position] == "_" || characters[position] == "." || characters[position] == "-" {
            path.append(characters[position]); position += 1
        }
        let equal: Bool
        if take("!=") { equal = false } else if take("=") { equal = true } else {
            throw LogFilterPattern.Unsupported(reason: "lambda-async's local logs compare JSON fields with = and != only")
        }
        skipSpaces()
        var value = "", quoted = false
        if position < characters.count, characters[position] == "\"" {
            quoted = true
            position += 1
            while position < characters.count, characters[position] != "\"" {
                if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                value.append(characters[position]); position += 1
            }
            position += 1
        } else {
            while position < characters.count, !" )&|".contains(characters[position]) { value.append(characters[position]); position += 1 }
        }
        return .compare(path: path.split(separator: ".").map(String.init), equal: equal, value: value, quoted: quoted)
    }
}
