import Foundation
import Yams

/// The API Gateway side of a template: the routes of functions' `HttpApi` and `Api` events, and each
/// API's CORS and stage variables.
extension SAMTemplate {
    /// An API Gateway route of a function (`Events` of type `HttpApi` or `Api`).
    public struct ApiRoute: Sendable, Equatable {
        public enum Kind: String, Sendable { case http = "HttpApi", rest = "Api" }
        public let kind: Kind
        /// Upper case, or `ANY`.
        public let method: String
        /// `/orders/{id}`, `/files/{proxy+}`; nil: an HTTP API's `$default` route, which takes every request.
        public let path: String?
        /// "2.0" (an HTTP API's default) or "1.0" (REST APIs always).
        public let payloadVersion: String
        /// `Auth: {Authorizer: AWS_IAM}`: only SigV4-signed requests pass.
        public let iamAuth: Bool
        /// `Auth: {Authorizer: NAME}`: one of the API's Lambda authorizers; `NONE` for none; nil: the
        /// API's `DefaultAuthorizer`, if it has one.
        public let authorizer: String?

        public init(kind: Kind, method: String, path: String?, payloadVersion: String, iamAuth: Bool, authorizer: String? = nil) {
            self.kind = kind
            self.method = method
            self.path = path
            self.payloadVersion = payloadVersion
            self.iamAuth = iamAuth
            self.authorizer = authorizer
        }

        /// `GET /orders/{id}`, `$default`.
        public var routeKey: String { path.map { "\(method == "ANY" ? "ANY" : method) \($0)" } ?? "$default" }
    }

    /// A Lambda authorizer of an API (`Auth.Authorizers.NAME` with a `FunctionArn`).
    public struct LambdaAuthorizer: Sendable, Equatable {
        /// The project's function that decides (from `FunctionArn: !GetAtt Fn.Arn`).
        public var function: String
        /// REST: `TOKEN` (the identity header alone) or `REQUEST` (the whole request); HTTP APIs: `REQUEST`.
        public var payloadType = "TOKEN"
        /// The header the identity comes from (REST TOKEN: `Authorization` unless `Identity.Header` says).
        public var identityHeaders: [String] = ["Authorization"]
        /// HTTP APIs: `{"isAuthorized": ...}` answers rather than IAM policies.
        public var simpleResponses = false
        /// HTTP APIs: "2.0" or "1.0".
        public var payloadVersion = "2.0"
        public init(function: String) { self.function = function }
    }

    /// Each API's CORS and stage variables: the implicit APIs' from Globals, an explicit API's from its
    /// resource (the first of its kind).
    mutating func readAPISettings(root: Node, resources: Node.Mapping, literal: (Node?) -> String?) {
        func api(_ type: String, _ global: String) -> Node? {
            resources.first { $0.value["Type"]?.string == type }?.value["Properties"] ?? root["Globals"]?[global]
        }
        func strings(_ node: Node?) -> [String] {
            if let list = node?.sequence { return list.compactMap(literal) }
            // REST's quoted shorthand: "'GET,POST'".
            return literal(node).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")).split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        }
        func cors(_ node: Node?, rest: Bool) -> FunctionURLConfig.CORS? {
            guard let node else { return nil }
            var cors = FunctionURLConfig.CORS()
            if literal(node)?.lowercased() == "true" || (rest && node.mapping == nil) {
                cors.allowOrigins = rest ? strings(node) : ["*"]
                cors.allowMethods = ["*"]
                cors.allowHeaders = ["*"]
                return cors
            }
            cors.allowOrigins = strings(node[rest ? "AllowOrigin" : "AllowOrigins"])
            let methods = strings(node["AllowMethods"])
            cors.allowMethods = methods.isEmpty ? ["*"] : methods
            cors.allowHeaders = strings(node["AllowHeaders"])
            cors.exposeHeaders = strings(node["ExposeHeaders"])
            cors.maxAge = strings(node["MaxAge"]).first.flatMap { Int($0) } ?? 0
            cors.allowCredentials = literal(node["AllowCredentials"])?.lowercased() == "true"
            return cors
        }
        apiCors[.http] = cors(api("AWS::Serverless::HttpApi", "HttpApi")?["CorsConfiguration"], rest: false)
        apiCors[.rest] = cors(api("AWS::Serverless::Api", "Api")?["Cors"], rest: true)
        for (kind, key, type, global) in [(ApiRoute.Kind.rest, "Variables", "AWS::Serverless::Api", "Api"),
                                          (.http, "StageVariables", "AWS::Serverless::HttpApi", "HttpApi")] {
            var variables: [String: String] = [:]
            for (name, value) in api(type, global)?[key]?.mapping ?? [:] {
                if let name = name.string, let value = literal(value) { variables[name] = value }
            }
            if !variables.isEmpty { stageVariables[kind] = variables }
        }
        binaryMediaTypes = strings(api("AWS::Serverless::Api", "Api")?["BinaryMediaTypes"]).map { $0.replacingOccurrences(of: "~1", with: "/") }
        for (kind, type, global) in [(ApiRoute.Kind.rest, "AWS::Serverless::Api", "Api"), (.http, "AWS::Serverless::HttpApi", "HttpApi")] {
            let auth = api(type, global)?["Auth"]
            if let name = literal(auth?["DefaultAuthorizer"]) { defaultAuthorizers[kind] = name }
            var authorizers: [String: LambdaAuthorizer] = [:]
            for (key, node) in auth?["Authorizers"]?.mapping ?? [:] {
                // `FunctionArn: !GetAtt Fn.Arn` resolves to the function's ARN, which ends with its name.
                guard let name = key.string, let arn = literal(node["FunctionArn"]),
                      let function = arn.components(separatedBy: ":function:").last?.split(separator: ":").first else { continue }
                var authorizer = LambdaAuthorizer(function: String(function))
                if kind == .rest {
                    authorizer.payloadType = literal(node["FunctionPayloadType"])?.uppercased() ?? "TOKEN"
                    authorizer.identityHeaders = [literal(node["Identity"]?["Header"]) ?? "Authorization"]
                } else {
                    authorizer.payloadType = "REQUEST"
                    authorizer.simpleResponses = literal(node["EnableSimpleResponses"])?.lowercased() == "true"
                    authorizer.payloadVersion = literal(node["AuthorizerPayloadFormatVersion"]) ?? "2.0"
                    let headers = strings(node["Identity"]?["Headers"])
                    authorizer.identityHeaders = headers.isEmpty ? ["Authorization"] : headers
                }
                authorizers[name] = authorizer
            }
            if !authorizers.isEmpty { lambdaAuthorizers[kind] = authorizers }
        }
    }
}
