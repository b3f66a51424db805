import AsyncHTTPClient
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NIOCore
import NIOHTTP1

/// One HTTP exchange with AWS, as async, through AsyncHTTPClient: event-driven (Foundation's URLSession
/// on Linux polls in a loop, a core busy for as long as it waits for an answer), connections pooled
/// across calls, a dropped connection reported at once (the caller retries) rather than at a timeout.
public enum HTTP {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: Data

        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// The largest answer read: AWS's answers to deploy are small (a template summary, events).
    static let responseLimit = 64 * 1_048_576

    public static func send(method: String, url: URL, headers: [String: String], body: Data, timeout: TimeInterval = 60) async throws -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (key, value) in headers where key.lowercased() != "host" { request.headers.add(name: key, value: value) }
        if !body.isEmpty || method == "PUT" || method == "POST" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await Clients.shared.client(for: url).execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        let bytes = try await response.body.collect(upTo: responseLimit)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name] = fields[header.name].map { "\($0),\(header.value)" } ?? header.value }
        return Response(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
    }

    /// For credential sources that may not exist here (IMDS, containers): nil when nothing answers.
    @Sendable public static func fetch(_ method: String, _ url: URL, _ headers: [String: String], _ timeout: TimeInterval) async -> (Int, Data)? {
        guard let response = try? await send(method: method, url: url, headers: headers, body: Data(), timeout: timeout) else { return nil }
        return (response.status, response.body)
    }

    /// The process's clients, made once and never shut down (they live as long as the command):
    /// one direct, and one through the proxy the environment names, as the AWS SDKs and curl read it
    /// (HTTPS_PROXY / HTTP_PROXY by the URL's scheme, NO_PROXY for the hosts that bypass it).
    final class Clients: Sendable {
        static let shared = Clients(environment: ProcessInfo.processInfo.environment)

        let direct: HTTPClient
        let proxied: [String: HTTPClient]
        let noProxy: [String]

        init(environment: [String: String]) {
            func value(_ name: String) -> String? {
                (environment[name.lowercased()] ?? environment[name]).flatMap { $0.isEmpty ? nil : $0 }
            }
            direct = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(proxy: nil))
            var proxied: [String: HTTPClient] = [:]
            for (scheme, variable) in [("https", "HTTPS_PROXY"), ("http", "HTTP_PROXY")] {
                guard let proxy = value(variable).flatMap(Self.proxy) else { continue }
                proxied[scheme] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(proxy: proxy))
            }
            self.proxied = proxied
            noProxy = (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }

        func client(for url: URL) -> HTTPClient {
            guard let client = proxied[url.scheme?.lowercased() ?? ""] else { return direct }
            return Self.bypasses(host: url.host?.lowercased() ?? "", noProxy) ? direct : client
        }

        /// NO_PROXY as curl reads it: `*`, a host, or a domain suffix (with or without its leading dot).
        static func bypasses(host: String, _ noProxy: [String]) -> Bool {
            noProxy.contains { entry in
                let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
                return entry == "*" || host == suffix || host.hasSuffix("." + suffix)
            }
        }

        /// `http://user:password@host:port` or `host:port`: an HTTP proxy, CONNECT for HTTPS.
        static func proxy(_ text: String) -> HTTPClient.Configuration.Proxy? {
            guard let url = URL(string: text.contains("://") ? text : "http://" + text), let host = url.host else { return nil }
            let port = url.port ?? 80
            if let user = url.user {
                return .server(host: host, port: port, authorization: .basic(username: user, password: url.password ?? ""))
            }
            return .server(host: host, port: port)
        }

        static func configuration(proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient.Configuration {
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10), read: .seconds(60)),
                proxy: proxy)
            configuration.decompression = .disabled
            return configuration
        }
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
