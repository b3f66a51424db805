import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncCore
import LambdaAsyncProject
import NIOCore
import NIOHTTP1
import NIOPosix

/// Function URLs (`FunctionUrlConfig`): a request becomes the URL event, the answer (buffered or
/// streamed) becomes the HTTP response, with the URL's auth and CORS.
extension LocalLambda {
    func functionURL(_ name: String, method: String, path: String, signedPath: String, query: String, headers: HTTPHeaders,
                             body: [UInt8], writer: ResponseWriter) {
        guard let function = functions[name], let url = function.url, let pool = pools[name] else {
            return refuse(writer, .notFound, "ResourceNotFoundException", "\(name) has no function URL (FunctionUrlConfig) in this project")
        }
        if refusedAsNotRunnable(name, writer) || refusedAsDurableElsewhere(name, door: "its function URL", writer) { return }
        if tenants.isPerTenant(name) {
            // Lambda creates no URL for a function with tenant isolation: the template would not deploy.
            return refuse(writer, .badRequest, "InvalidParameterValueException",
                          "\(name) has tenant isolation, which function URLs do not support: invoke it through the Invoke API or API Gateway with X-Amz-Tenant-Id")
        }
        let fields = headers.map { ($0.name, $0.value) }
        // Browsers send preflights unsigned: the URL answers them before any AuthType check.
        if let cors = url.cors, SAMTemplate.FunctionURLConfig.CORS.isPreflight(method: method, headers: fields) {
            return writer.send(200, cors.preflightHeaders(fields), [])
        }
        // A URL's request carries at most 6 MB, as Lambda's synchronous invocation does; refused before
        // anything is checked or run.
        guard body.count <= LambdaQuotas.bufferedPayloadBytes else {
            options.log("\(name) URL: 413: the request's body has \(body.count) bytes, over a function URL's \(LambdaQuotas.bufferedPayloadBytes)")
            return writer.send(413, [("Content-Type", "application/json")],
                               Array(#"{"Message":"Request must be smaller than \#(LambdaQuotas.bufferedPayloadBytes) bytes for the InvokeFunctionUrl operation"}"#.utf8))
        }
        var caller: String?
        if url.authType != "NONE" {
            // As in the cloud, an AWS_IAM URL takes only requests signed with SigV4 for lambda, and the
            // signature must hold: checked against the credentials serve was given (no IAM policy runs here).
            let request = SignedRequest(method: method, path: signedPath, query: query, headers: fields, body: body, service: "lambda")
            switch options.checkSignature?(request) ?? SignatureCheck.presence(request) {
            case .signedBy(let accessKey):
                caller = accessKey
            case .unsigned:
                options.log("\(name) URL: 403 Forbidden: AuthType \(url.authType) takes only requests signed with SigV4 for the lambda service "
                            + "(curl --aws-sigv4 \"aws:amz:us-east-1:lambda\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" ...); "
                            + "AuthType NONE makes the URL public")
                return writer.send(403, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")],
                                   Array(#"{"Message":"Forbidden"}"#.utf8))
            case .refused(let reason):
                options.log("\(name) URL: 403 Forbidden: \(reason)")
                return writer.send(403, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")],
                                   Array(#"{"Message":"Forbidden"}"#.utf8))
            }
        }
        let event = FunctionURL.event(method: method, rawPath: path, query: query, headers: fields, body: body,
                                      requestId: UUID().uuidString.lowercased(), urlID: name.lowercased(), signedBy: caller)
        let streaming = url.invokeMode == "RESPONSE_STREAM"
        let decorate: @Sendable ([(String, String)]) -> [(String, String)] = { headers in
            url.cors.map { $0.responseHeaders(headers, request: fields) } ?? headers
        }
        Task {
            let state = URLResponseState(decorate: decorate)
            do {
                // A URL is a synchronous call: throttled, not queued, when every environment is busy.
                // A streamed answer goes no faster than its client reads it.
                var extras = Sandbox.InvocationExtras()
                if streaming {
                    let flow = StreamFlow()
                    writer.follow(flow)
                    extras.flow = flow
                }
                _ = try await pool.invoke(event, extras: extras, waitWhenBusy: false) { response in
                    switch response {
                    case .chunk(let bytes):
                        guard streaming else { return state.buffer(bytes) }
                        state.stream(bytes, to: writer)
                    case .complete(let bytes):
                        if streaming {
                            state.stream(bytes, to: writer)
                            state.finish(writer)
                        } else {
                            state.buffer(bytes)
                            let answer = FunctionURL.answer(fromBuffered: state.buffered)
                            writer.send(answer.status, decorate(answer.headers), answer.body)
                        }
                    case .error(_, let errorBody):
                        // Like a function URL: a 502 before any byte, or a cut stream after.
                        if state.started { state.finish(writer) } else {
                            writer.send(502, decorate([("Content-Type", "application/json"), ("X-Amz-Function-Error", "Unhandled")]), errorBody)
                        }
                    }
                }
            } catch is FunctionPool.Throttled {
                // A function URL answers a throttle with 429 and Lambda's short body.
                writer.send(429, decorate([("Content-Type", "application/json"), ("x-amzn-ErrorType", "TooManyRequestsException")]),
                            Array(#"{"Message":"Rate Exceeded."}"#.utf8))
            } catch {
                writer.send(500, [("Content-Type", "text/plain")], Array("\(error)".utf8))
            }
        }
    }
}
