import Foundation
import LambdaAsyncEnvironment

/// Function URLs: an HTTP request becomes the payload version 2.0 event, and the function's answer
/// becomes the HTTP response (buffered), or the stream's HTTP integration prelude and body.
enum FunctionURL {
    /// `signedBy`: the access key of an AWS_IAM URL's caller, for `requestContext.authorizer.iam`.
    static func event(method: String, rawPath: String, query: String, headers: [(String, String)], body: [UInt8],
                      requestId: String, urlID: String, signedBy accessKey: String? = nil) -> [UInt8] {
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
        var event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": rawPath, "rawQueryString": query, "headers": lowered,
            "requestContext": [
                "accountId": "anonymous", "apiId": urlID, "domainName": "\(urlID).lambda-url.local", "domainPrefix": urlID,
                "http": ["method": method, "path": rawPath, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                         "userAgent": lowered["user-agent"] ?? ""],
                "requestId": requestId, "routeKey": "$default", "stage": "$default",
                "time": requestTime(now), "timeEpoch": Int(now.timeIntervalSince1970 * 1000),
            ] as [String: Any],
            "isBase64Encoded": text == nil,
        ]
        if let accessKey, var context = event["requestContext"] as? [String: Any] {
            // The caller's identity as IAM would resolve it; locally only the access key is known.
            context["accountId"] = FunctionConfig.accountID
            context["authorizer"] = ["iam": [
                "accessKey": accessKey, "accountId": FunctionConfig.accountID, "callerId": accessKey,
                "cognitoIdentity": NSNull(), "principalOrgId": NSNull(),
                "userArn": "arn:aws:iam::\(FunctionConfig.accountID):user/local", "userId": accessKey,
            ] as [String: Any]]
            event["requestContext"] = context
        }
        if !cookies.isEmpty { event["cookies"] = cookies }
        if !parameters.isEmpty { event["queryStringParameters"] = parameters }
        if !body.isEmpty { event["body"] = text ?? Data(body).base64EncodedString() }
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// `30/Nov/2026:12:00:00 +0000`: how function URLs and API Gateway stamp a request's time.
    static func requestTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The access key that signed a request with SigV4 for the lambda service, from the
    /// `Authorization` header or a presigned URL's `X-Amz-Credential`; nil when it is not signed so.
    static func signingAccessKey(headers: [(String, String)], query: String, service: String = "lambda") -> String? {
        var credential: String?
        if let authorization = headers.first(where: { $0.0.lowercased() == "authorization" })?.1,
           authorization.hasPrefix("AWS4-HMAC-SHA256 ") {
            credential = authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("Credential=") }
                .map { String($0.dropFirst("Credential=".count)) }
        } else if let pair = query.split(separator: "&").first(where: { $0.hasPrefix("X-Amz-Credential=") }) {
            credential = String(pair.dropFirst("X-Amz-Credential=".count)).removingPercentEncoding
        }
        // AKID/date/region/service/aws4_request
        guard let scope = credential?.split(separator: "/"), scope.count == 5, scope[3] == service, scope[4] == "aws4_request" else {
            return nil
        }
        return String(scope[0])
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
        let (prelude, rest): ([UInt8], [UInt8])
        switch HTTPIntegrationPrelude.split(bytes) {
        case .incomplete: return nil
        case .body: return (HTTPAnswer(status: 200, headers: [("Content-Type", "application/octet-stream")]), bytes)
        case .prelude(let found, let after): (prelude, rest) = (found, after)
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(prelude))) as? [String: Any] ?? [:]
        var answer = HTTPAnswer(status: object["statusCode"] as? Int ?? 200)
        for (name, value) in (object["headers"] as? [String: Any]) ?? [:] { answer.headers.append((name, "\(value)")) }
        for cookie in (object["cookies"] as? [String]) ?? [] { answer.headers.append(("Set-Cookie", cookie)) }
        return (answer, rest)
    }
}
