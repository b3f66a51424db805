import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange through URLSession, as async.
public enum HTTP {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: Data

        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.timeoutIntervalForResource = 900
        return URLSession(configuration: configuration)
    }()

    public static func send(method: String, url: URL, headers: [String: String], body: Data, timeout: TimeInterval = 60) async throws -> Response {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (key, value) in headers where key.lowercased() != "host" { request.setValue(value, forHTTPHeaderField: key) }
        if !body.isEmpty || method == "PUT" || method == "POST" { request.httpBody = body }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Response(status: http.statusCode, headers: fields, body: data)
    }

    /// For credential sources that may not exist here (IMDS, containers): nil when nothing answers.
    @Sendable public static func fetch(_ method: String, _ url: URL, _ headers: [String: String], _ timeout: TimeInterval) async -> (Int, Data)? {
        guard let response = try? await send(method: method, url: url, headers: headers, body: Data(), timeout: timeout) else { return nil }
        return (response.status, response.body)
    }
}

/// A small XML tree (FoundationXML's parser), for the query protocol's and S3's answers; immutable
/// once parsed.
public final class XMLElement: Sendable {
    public let name: String
    public let text: String
    public let children: [XMLElement]

    init(name: String, text: String, children: [XMLElement]) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first descendant along `path` ("DescribeStacksResult/Stacks/member").
    public func first(_ path: String) -> XMLElement? {
        var node: XMLElement? = self
        for part in path.split(separator: "/") { node = node?.children.first { $0.name == part } }
        return node
    }

    /// The first element named `name` anywhere below, depth first.
    public func descendant(_ name: String) -> XMLElement? {
        for child in children {
            if child.name == name { return child }
            if let found = child.descendant(name) { return found }
        }
        return nil
    }

    /// The text at `path`, nil when absent.
    public subscript(_ path: String) -> String? { first(path)?.text }

    /// The children named `name` of the element at `path` (lists are `<member>` items).
    public func all(_ path: String, _ name: String = "member") -> [XMLElement] {
        (path.isEmpty ? self : first(path))?.children.filter { $0.name == name } ?? []
    }

    public static func parse(_ data: Data) -> XMLElement? {
        let delegate = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.root
    }

    /// Elements are made when they end, with their text and children complete.
    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [(name: String, text: String, children: [XMLElement])] = []
        var root: XMLElement?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append((name, "", []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let node = stack.popLast() else { return }
            let element = XMLElement(name: node.name, text: node.text, children: node.children)
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
