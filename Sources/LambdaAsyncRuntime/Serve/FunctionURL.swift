import Foundation

/// Function URLs: an HTTP request becomes the payload version 2.0 event, and the function's answer
/// becomes the HTTP response (buffered), or the stream's HTTP integration prelude and body.
enum FunctionURL {
    static func event(method: String, rawPath: String, query: String, headers: [(String, String)], body: [UInt8],
                      requestId: String, urlID: String) -> [UInt8] {
        var lowered: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in headers {
            let key = name.lowercased()
            if key == "cookie" { cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } ; continue }
            lowered[key] = lowered[key].map { "\($0),\(value)" } ?? value
        }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            parameters[parts[0]] = parameters[parts[0]].map { "\($0),\(parts.count > 1 ? parts[1] : "")" } ?? (parts.count > 1 ? parts[1] : "")
        }
        let text = String(bytes: body, encoding: .utf8)
        let now = Date()
        let time = DateFormatter()
        time.locale = Locale(identifier: "en_US_POSIX")
        time.timeZone = TimeZone(identifier: "UTC")
        time.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        var event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": rawPath, "rawQueryString": query, "headers": lowered,
            "requestContext": [
                "accountId": "anonymous", "apiId": urlID, "domainName": "\(urlID).lambda-url.local", "domainPrefix": urlID,
                "http": ["method": method, "path": rawPath, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                         "userAgent": lowered["user-agent"] ?? ""],
                "requestId": requestId, "routeKey": "$default", "stage": "$default",
                "time": time.string(from: now), "timeEpoch": Int(now.timeIntervalSince1970 * 1000),
            ] as [String: Any],
            "isBase64Encoded": text == nil,
        ]
        if !cookies.isEmpty { event["cookies"] = cookies }
        if !parameters.isEmpty { event["queryStringParameters"] = parameters }
        if !body.isEmpty { event["body"] = text ?? Data(body).base64EncodedString() }
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data())
    }

    struct HTTPAnswer {
        var status = 200
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    /// A buffered answer: `{statusCode, headers, cookies, body, isBase64Encoded}`, or any other JSON as the body.
    static func answer(fromBuffered response: [UInt8]) -> HTTPAnswer {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response), options: [.fragmentsAllowed])) as? [String: Any],
              let status = object["statusCode"] as? Int else {
            return HTTPAnswer(status: 200, headers: [("Content-Type", "application/json")], body: response)
        }
        var answer = HTTPAnswer(status: status)
        for (name, value) in (object["headers"] as? [String: Any]) ?? [:] { answer.headers.append((name, "\(value)")) }
        for cookie in (object["cookies"] as? [String]) ?? [] { answer.headers.append(("Set-Cookie", cookie)) }
        if let body = object["body"] as? String {
            answer.body = (object["isBase64Encoded"] as? Bool == true) ? Array(Data(base64Encoded: body) ?? Data()) : Array(body.utf8)
        }
        return answer
    }

    /// Splits a stream's HTTP integration prelude (JSON, then eight NUL bytes) from its body.
    /// Returns nil while more bytes are needed.
    static func prelude(in bytes: [UInt8]) -> (HTTPAnswer, rest: [UInt8])? {
        guard bytes.first == UInt8(ascii: "{") else {
            return bytes.isEmpty ? nil : (HTTPAnswer(status: 200, headers: [("Content-Type", "application/octet-stream")]), bytes)
        }
        guard bytes.count >= 8, let end = (0...(bytes.count - 8)).first(where: { index in bytes[index..<(index + 8)].allSatisfy { $0 == 0 } }) else {
            return nil
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes[..<end]))) as? [String: Any] ?? [:]
        var answer = HTTPAnswer(status: object["statusCode"] as? Int ?? 200)
        for (name, value) in (object["headers"] as? [String: Any]) ?? [:] { answer.headers.append((name, "\(value)")) }
        for cookie in (object["cookies"] as? [String]) ?? [] { answer.headers.append(("Set-Cookie", cookie)) }
        return (answer, Array(bytes[(end + 8)...]))
    }
}
