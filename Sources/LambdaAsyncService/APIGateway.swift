import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncProject

/// API Gateway in front of the project's functions, as `sam local start-api` serves it: each
/// function's `HttpApi` and `Api` events become routes on `serve`'s port; a request becomes the
/// proxy event of its payload version (2.0 for HTTP APIs, 1.0 for REST APIs and HTTP APIs that ask
/// for it), and the function's answer becomes the HTTP response as API Gateway maps it.
enum APIGateway {
    /// A route of a function, and what matched it.
    struct Match {
        let function: String
        let route: SAMTemplate.ApiRoute
        let pathParameters: [String: String]
    }

    /// The route a request takes: the most specific path (literal segments before `{name}`, before
    /// `{name+}`), an exact method before `ANY`, and an HTTP API's `$default` last.
    static func match(method: String, path: String, routes: [(function: String, route: SAMTemplate.ApiRoute)]) -> Match? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var best: (score: [Int], match: Match)?
        for (function, route) in routes {
            guard route.method == "ANY" || route.method == method.uppercased() else { continue }
            guard let template = route.path else {
                let candidate = ([0, 0, 0, 0], Match(function: function, route: route, pathParameters: [:]))
                if best == nil || best!.score.lexicographicallyPrecedes(candidate.0) { best = candidate }
                continue
            }
            guard let (parameters, literals, greedy) = bind(template, to: segments) else { continue }
            // More literal segments, no greedy parameter, an exact method: more specific.
            let score = [1, literals, greedy ? 0 : 1, route.method == "ANY" ? 0 : 1]
            if best == nil || best!.score.lexicographicallyPrecedes(score) {
                best = (score, Match(function: function, route: route, pathParameters: parameters))
            }
        }
        return best?.match
    }

    /// Path parameters when `segments` fit the template; with how many literal segments matched.
    static func bind(_ template: String, to segments: [String]) -> (parameters: [String: String], literals: Int, greedy: Bool)? {
        let parts = template.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var parameters: [String: String] = [:]
        var literals = 0
        for (index, part) in parts.enumerated() {
            if part.hasPrefix("{"), part.hasSuffix("+}") {
                guard index == parts.count - 1, segments.count > index else { return nil }
                parameters[String(part.dropFirst().dropLast(2))] = segments[index...].joined(separator: "/")
                return (parameters, literals, true)
            }
            guard index < segments.count else { return nil }
            if part.hasPrefix("{"), part.hasSuffix("}") {
                parameters[String(part.dropFirst().dropLast())] = segments[index].removingPercentEncoding ?? segments[index]
            } else if part == segments[index] {
                literals += 1
            } else {
                return nil
            }
        }
        return segments.count == parts.count ? (parameters, literals, false) : nil
    }

    /// Text bodies are passed as they are; anything else base64-encoded, as API Gateway does.
    static func isText(_ headers: [(String, String)]) -> Bool {
        guard let type = headers.first(where: { $0.0.lowercased() == "content-type" })?.1.lowercased() else { return true }
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript")
            || type.contains("x-www-form-urlencoded")
    }

    /// Whether a REST API takes the body as binary: its content type matches one of `types`
    /// (`image/png`, `image/*`, `*/*`).
    static func isBinary(_ headers: [(String, String)], types: [String]) -> Bool {
        guard let type = headers.first(where: { $0.0.lowercased() == "content-type" })?.1.lowercased()
            .split(separator: ";").first?.trimmingCharacters(in: .whitespaces) else { return false }
        return types.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern == "*/*" { return true }
            if pattern.hasSuffix("/*") { return type.hasPrefix(String(pattern.dropLast())) }
            return pattern == type
        }
    }

    static func event(_ match: Match, method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                      requestId: String, signedBy accessKey: String?, stageVariables: [String: String]? = nil,
                      binaryMediaTypes: [String] = [], authorizer: [String: Any]? = nil) -> [UInt8] {
        let event = match.route.payloadVersion == "1.0"
            ? version1(match, method: method, path: path, query: query, headers: headers, body: body, requestId: requestId, signedBy: accessKey,
                       binaryMediaTypes: binaryMediaTypes)
            : version2(match, method: method, path: path, query: query, headers: headers, body: body, requestId: requestId, signedBy: accessKey)
        let variables = stageVariables ?? [:]
        guard !variables.isEmpty || authorizer != nil,
              var object = (try? JSONSerialization.jsonObject(with: Data(event))) as? [String: Any] else { return event }
        if !variables.isEmpty { object["stageVariables"] = variables }
        if let authorizer, var context = object["requestContext"] as? [String: Any] {
            context["authorizer"] = authorizer
            object["requestContext"] = context
        }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// Payload 2.0: the function URL's event with the route's key, stage and path parameters.
    private static func version2(_ match: Match, method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                                 requestId: String, signedBy accessKey: String?) -> [UInt8] {
        let base = FunctionURL.event(method: method, rawPath: path, query: query, headers: headers, body: isText(headers) ? body : [],
                                     requestId: requestId, urlID: "local", signedBy: accessKey)
        guard var event = (try? JSONSerialization.jsonObject(with: Data(base))) as? [String: Any],
              var context = event["requestContext"] as? [String: Any] else { return base }
        event["routeKey"] = match.route.routeKey
        context["routeKey"] = match.route.routeKey
        context["apiId"] = "local"
        context["domainName"] = "localhost"
        context["domainPrefix"] = "localhost"
        context["accountId"] = FunctionConfig.accountID
        event["requestContext"] = context
        if !match.pathParameters.isEmpty { event["pathParameters"] = match.pathParameters }
        if !isText(headers), !body.isEmpty {
            event["body"] = Data(body).base64EncodedString()
            event["isBase64Encoded"] = true
        }
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// Payload 1.0 (REST APIs' Lambda proxy integration): single- and multi-value headers and query
    /// parameters, the resource and its stage (SAM's default stage is Prod).
    private static func version1(_ match: Match, method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                                 requestId: String, signedBy accessKey: String?, binaryMediaTypes: [String]) -> [UInt8] {
        var single: [String: String] = [:], multi: [String: [String]] = [:]
        for (name, value) in headers {
            single[name] = value
            multi[name, default: []].append(value)
        }
        var query1: [String: String] = [:], queryMulti: [String: [String]] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            let value = parts.count > 1 ? parts[1] : ""
            query1[parts[0]] = value
            queryMulti[parts[0], default: []].append(value)
        }
        let stage = match.route.kind == .rest ? "Prod" : "$default"
        let now = Date()
        // A REST API passes a body as text unless its type is one of the API's binary media types; an
        // HTTP API with payload 1.0 base64-encodes what is not text, as with 2.0.
        let binary = match.route.kind == .rest ? isBinary(headers, types: binaryMediaTypes) : !isText(headers)
        let text = binary ? nil : String(decoding: body, as: UTF8.self)
        let identity: [String: Any] = [
            "accessKey": accessKey ?? NSNull(), "accountId": accessKey == nil ? NSNull() : FunctionConfig.accountID as Any,
            "caller": NSNull(), "cognitoAuthenticationProvider": NSNull(), "cognitoAuthenticationType": NSNull(),
            "cognitoIdentityId": NSNull(), "cognitoIdentityPoolId": NSNull(), "principalOrgId": NSNull(), "sourceIp": "127.0.0.1",
            "user": accessKey ?? NSNull(), "userAgent": single.first { $0.key.lowercased() == "user-agent" }?.value ?? "",
            "userArn": accessKey == nil ? NSNull() : "arn:aws:iam::\(FunctionConfig.accountID):user/local" as Any,
        ]
        let event: [String: Any] = [
            "version": "1.0",
            "resource": match.route.path ?? "/{proxy+}", "path": path, "httpMethod": method.uppercased(),
            "headers": single, "multiValueHeaders": multi,
            "queryStringParameters": query1.isEmpty ? NSNull() : query1 as Any,
            "multiValueQueryStringParameters": queryMulti.isEmpty ? NSNull() : queryMulti as Any,
            "pathParameters": match.pathParameters.isEmpty ? NSNull() : match.pathParameters as Any,
            "stageVariables": NSNull(),
            "requestContext": [
                "accountId": FunctionConfig.accountID, "apiId": "local", "domainName": "localhost", "domainPrefix": "localhost",
                "extendedRequestId": requestId, "httpMethod": method.uppercased(), "identity": identity,
                "path": match.route.kind == .rest ? "/\(stage)\(path)" : path, "protocol": "HTTP/1.1", "requestId": requestId,
                "requestTime": FunctionURL.requestTime(now), "requestTimeEpoch": Int(now.timeIntervalSince1970 * 1000),
                "resourceId": "local", "resourcePath": match.route.path ?? "/{proxy+}", "stage": stage,
            ] as [String: Any],
            "body": body.isEmpty ? NSNull() : (text ?? Data(body).base64EncodedString()) as Any,
            "isBase64Encoded": !body.isEmpty && text == nil,
        ]
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// API Gateway's own error answers.
    static let internalError = FunctionURL.HTTPAnswer(status: 502, headers: [("Content-Type", "application/json")],
                                                      body: Array(#"{"message":"Internal server error"}"#.utf8))

    /// The function's answer as the HTTP response: payload 2.0 as a function URL maps it (a bare JSON
    /// value becomes a 200 body); payload 1.0 must be `{statusCode, headers, multiValueHeaders, body,
    /// isBase64Encoded}`, anything else is API Gateway's 502.
    static func answer(_ response: [UInt8], version: String) -> FunctionURL.HTTPAnswer {
        guard version == "1.0" else { return FunctionURL.answer(fromBuffered: response) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response))) as? [String: Any],
              let status = object["statusCode"] as? Int else { return internalError }
        var answer = FunctionURL.HTTPAnswer(status: status)
        for (name, value) in (object["headers"] as? [String: Any]) ?? [:] { answer.headers.append((name, "\(value)")) }
        for (name, values) in (object["multiValueHeaders"] as? [String: [Any]]) ?? [:] {
            for value in values { answer.headers.append((name, "\(value)")) }
        }
        if let body = object["body"] as? String {
            answer.body = (object["isBase64Encoded"] as? Bool == true) ? Array(Data(base64Encoded: body) ?? Data()) : Array(body.utf8)
        }
        return answer
    }

    // MARK: Lambda authorizers

    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`, what policies name.
    static func methodARN(_ route: SAMTemplate.ApiRoute, method: String, path: String) -> String {
        "arn:aws:execute-api:us-east-1:\(FunctionConfig.accountID):local/\(route.kind == .rest ? "Prod" : "$default")/\(method.uppercased())\(path)"
    }

    /// The authorizer's event: REST TOKEN (the identity alone), REST REQUEST (the request), HTTP
    /// (payload 2.0 with `identitySource` and `routeArn`, or 1.0 like REST REQUEST).
    static func authorizerEvent(_ authorizer: SAMTemplate.LambdaAuthorizer, match: Match, method: String, path: String, query: String,
                                headers: [(String, String)], identity: [String], requestId: String) -> [UInt8] {
        let arn = methodARN(match.route, method: method, path: path)
        var event: [String: Any]
        if match.route.kind == .rest, authorizer.payloadType == "TOKEN" {
            event = ["type": "TOKEN", "authorizationToken": identity.first ?? "", "methodArn": arn]
        } else {
            let request = self.event(match, method: method, path: path, query: query, headers: headers, body: [], requestId: requestId, signedBy: nil)
            event = (try? JSONSerialization.jsonObject(with: Data(request))) as? [String: Any] ?? [:]
            event.removeValue(forKey: "body")
            event.removeValue(forKey: "isBase64Encoded")
            event["type"] = "REQUEST"
            if match.route.kind == .http, authorizer.payloadVersion == "2.0" {
                event["routeArn"] = arn
                event["identitySource"] = identity
            } else {
                event["methodArn"] = arn
            }
        }
        return Array((try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// What the authorizer decided: allowed, and the context the function's event carries.
    static func decision(_ response: [UInt8], authorizer: SAMTemplate.LambdaAuthorizer, kind: SAMTemplate.ApiRoute.Kind,
                         methodARN arn: String) -> (allowed: Bool, context: [String: Any]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response))) as? [String: Any] else { return (false, [:]) }
        let context = object["context"] as? [String: Any] ?? [:]
        if kind == .http, authorizer.simpleResponses {
            return (object["isAuthorized"] as? Bool == true, ["lambda": context])
        }
        // An IAM policy: allowed when a statement allows execute-api:Invoke on this ARN and none denies it.
        let statements = ((object["policyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]]) ?? []
        func matches(_ statement: [String: Any]) -> Bool {
            let resources = (statement["Resource"] as? [String]) ?? [(statement["Resource"] as? String) ?? ""]
            return resources.contains { pattern in
                let regex = "^" + NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\*", with: ".*") + "$"
                return arn.range(of: regex, options: .regularExpression) != nil
            }
        }
        let allows = statements.contains { ($0["Effect"] as? String) == "Allow" && matches($0) }
        let denies = statements.contains { ($0["Effect"] as? String) == "Deny" && matches($0) }
        var carried = context
        if let principal = object["principalId"] { carried["principalId"] = principal }
        return (allows && !denies, kind == .http && authorizer.payloadVersion == "2.0" ? ["lambda": carried] : carried)
    }
}
