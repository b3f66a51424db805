import Foundation
import LambdaAsyncCore
import LambdaAsyncEnvironment
import LambdaAsyncProject
import NIOCore
import NIOHTTP1

/// API Gateway routes on serve's port: the request becomes the route's proxy event; the function's
/// response (not the end of its invocation: post-response work goes on) becomes the HTTP answer.
extension LocalLambda {
    /// The CORS of the API a preflight request is for: one whose routes take its path (any method).
    func apiPreflight(method: String, path: String, headers: HTTPHeaders) -> SAMTemplate.FunctionURLConfig.CORS? {
        guard SAMTemplate.FunctionURLConfig.CORS.isPreflight(method: method, headers: headers.map { ($0.name, $0.value) }) else { return nil }
        let routes = apiRoutes.map { ($0.function, SAMTemplate.ApiRoute(kind: $0.route.kind, method: "ANY", path: $0.route.path,
                                                                         payloadVersion: $0.route.payloadVersion, iamAuth: false)) }
        guard let match = APIGateway.match(method: "OPTIONS", path: path, routes: routes) else { return nil }
        return options.apiCors[match.route.kind]
    }

    func apiGateway(_ match: APIGateway.Match, method: String, path: String, query: String, headers: HTTPHeaders,
                    body: [UInt8], writer: ResponseWriter) {
        if isDurable(match.function) {
            // The API's client gets API Gateway's own answer; the reason goes to the log.
            options.log("\(match.function) API \(match.route.routeKey): 500: \(Self.durableOnlyThroughInvoke(match.function, door: "an API Gateway route (give the route a function that starts the execution)"))")
            return writer.send(500, [("Content-Type", "application/json")], Array(#"{"message":"Internal Server Error"}"#.utf8))
        }
        // With tenant isolation the integration passes the tenant on (X-Amz-Tenant-Id, as the API maps it).
        guard case .pool(let pool)? = choosePool(match.function, tenant: tenants.isPerTenant(match.function) ? headers.first(name: "X-Amz-Tenant-Id") : nil) else {
            options.log("\(match.function) API \(match.route.routeKey): 500: the function has tenant isolation and the request names no tenant (X-Amz-Tenant-Id)")
            return writer.send(500, [("Content-Type", "application/json")], Array(#"{"message":"Internal Server Error"}"#.utf8))
        }
        let fields = headers.map { ($0.name, $0.value) }
        var caller: String?
        if match.route.iamAuth {
            // As API Gateway: an AWS_IAM route takes only requests signed for execute-api whose signature
            // holds, checked against the credentials serve was given.
            let request = SignedRequest(method: method, path: path, query: query, headers: fields, body: body, service: "execute-api")
            switch options.checkSignature?(request) ?? SignatureCheck.presence(request) {
            case .signedBy(let key):
                caller = key
            case .unsigned:
                let message = match.route.kind == .rest ? "Missing Authentication Token" : "Forbidden"
                options.log("\(match.function) API \(match.route.routeKey): 403: the route's Authorizer is AWS_IAM; sign requests with SigV4 for execute-api "
                            + "(curl --aws-sigv4 \"aws:amz:us-east-1:execute-api\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" ...)")
                return writer.send(403, [("Content-Type", "application/json")], Array("{\"message\":\"\(message)\"}".utf8))
            case .refused(let reason):
                options.log("\(match.function) API \(match.route.routeKey): 403: \(reason)")
                // API Gateway's answer to a signature that does not hold.
                return writer.send(403, [("Content-Type", "application/json")],
                                   Array(#"{"message":"The request signature we calculated does not match the signature you provided."}"#.utf8))
            }
        }
        if let runtime = functions[match.function]?.config.runtime, !Self.runsLocally(runtime) {
            return writer.send(502, [("Content-Type", "application/json")], APIGateway.internalError.body)
        }
        let signedBy = caller
        let proceed: @Sendable ([String: Any]?) -> Void = { [self] authorizerContext in
            invokeRoute(match, pool: pool, method: method, path: path, query: query, fields: fields, body: body, caller: signedBy,
                        authorizerContext: authorizerContext, writer: writer)
        }
        // The route's Lambda authorizer (its own, or the API's default) decides first, as API Gateway's does.
        let name = match.route.iamAuth || match.route.authorizer == "NONE" ? nil : (match.route.authorizer ?? options.defaultAuthorizers[match.route.kind])
        guard let name, let authorizer = options.lambdaAuthorizers[match.route.kind]?[name] else { return proceed(nil) }
        authorize(authorizer, match: match, method: method, path: path, query: query, fields: fields, writer: writer, then: proceed)
    }

    /// Runs a Lambda authorizer; `then` gets the context to pass on when it allows the request.
    private func authorize(_ authorizer: SAMTemplate.LambdaAuthorizer, match: APIGateway.Match, method: String, path: String, query: String,
                           fields: [(String, String)], writer: ResponseWriter, then proceed: @escaping @Sendable ([String: Any]?) -> Void) {
        @Sendable func send(_ status: Int, _ message: String) {
            writer.send(status, [("Content-Type", "application/json")], Array("{\"message\":\"\(message)\"}".utf8))
        }
        guard let pool = pools[authorizer.function] else {
            options.log("API \(match.route.routeKey): the authorizer's function \(authorizer.function) is not a function of this project")
            return send(500, "Internal server error")
        }
        // Without its identity source, API Gateway answers 401 and never calls the authorizer.
        let identity = authorizer.identityHeaders.compactMap { header in fields.first { $0.0.lowercased() == header.lowercased() }?.1 }
        guard identity.count == authorizer.identityHeaders.count else { return send(401, "Unauthorized") }
        let event = APIGateway.authorizerEvent(authorizer, match: match, method: method, path: path, query: query, headers: fields,
                                               identity: identity, requestId: UUID().uuidString.lowercased())
        let arn = APIGateway.methodARN(match.route, method: method, path: path)
        let collected = Collected()
        pool.submit(event, waitWhenBusy: true) { collected.add($0) }.whenComplete { [self] result in
            guard case .success(let record) = result, record.error == nil else {
                options.log("API \(match.route.routeKey): the authorizer \(authorizer.function) failed")
                return send(500, "Internal server error")
            }
            let decision = APIGateway.decision(collected.bytes, authorizer: authorizer, kind: match.route.kind, methodARN: arn)
            guard decision.allowed else {
                return match.route.kind == .rest ? send(403, "User is not authorized to access this resource with an explicit deny")
                                                 : send(403, "Forbidden")
            }
            proceed(decision.context)
        }
    }

    private func invokeRoute(_ match: APIGateway.Match, pool: FunctionPool, method: String, path: String, query: String, fields: [(String, String)],
                             body: [UInt8], caller: String?, authorizerContext: [String: Any]?, writer: ResponseWriter) {
        let event = APIGateway.event(match, method: method, path: path, query: query, headers: fields, body: body,
                                     requestId: UUID().uuidString.lowercased(), signedBy: caller,
                                     stageVariables: options.stageVariables[match.route.kind], binaryMediaTypes: options.binaryMediaTypes,
                                     authorizer: authorizerContext)
        // Lambda's 6 MB synchronous limit applies to the event API Gateway builds (the body, base64 when
        // binary, and the request around it): Lambda refuses it (413), and API Gateway answers 500.
        guard event.count <= LambdaQuotas.bufferedPayloadBytes else {
            options.log("\(pool.config.name) API \(match.route.routeKey): Lambda invocation failed with status: 413 (the event has \(event.count) bytes, "
                        + "over Lambda's \(LambdaQuotas.bufferedPayloadBytes) for a synchronous invocation); API Gateway answers 500")
            return writer.send(500, [("Content-Type", "application/json")], Array(#"{"message":"Internal Server Error"}"#.utf8))
        }
        // The API's CORS headers on every answer, in place of any the function sent.
        let cors = options.apiCors[match.route.kind]
        let decorate: @Sendable ([(String, String)]) -> [(String, String)] = { headers in cors.map { $0.responseHeaders(headers, request: fields) } ?? headers }
        let version = match.route.payloadVersion
        let answered = OnceFlag()
        let collected = Collected()
        pool.submit(event, waitWhenBusy: false) { response in
            switch response {
            case .chunk(let bytes):
                collected.add(.chunk(bytes))  // API Gateway buffers: the answer goes at the end
            case .complete(let bytes):
                collected.add(.complete(bytes))
                let answer = APIGateway.answer(collected.bytes, version: version)
                if answered.claim() { writer.send(answer.status, decorate(answer.headers), answer.body) }
            case .error:
                // A function error is API Gateway's 502, whatever the function said.
                if answered.claim() { writer.send(502, APIGateway.internalError.headers, APIGateway.internalError.body) }
            }
        }.whenComplete { result in
            guard case .failure(let error) = result, answered.claim() else { return }
            if error is FunctionPool.Throttled {
                writer.send(429, [("Content-Type", "application/json")], Array(#"{"message":"Too Many Requests"}"#.utf8))
            } else {
                writer.send(502, APIGateway.internalError.headers, APIGateway.internalError.body)
            }
        }
    }
}
