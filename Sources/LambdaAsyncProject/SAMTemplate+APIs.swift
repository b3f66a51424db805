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

        public init(kind: Kind, method: String, path: String?, payloadVersion: String, iamAuth: Bool) {
            self.kind = kind
            self.method = method
            self.path = path
            self.payloadVersion = payloadVersion
            self.iamAuth = iamAuth
        }

        /// `GET /orders/{id}`, `$default`.
        public var routeKey: String { path.map { "\(method == "ANY" ? "ANY" : method) \($0)" } ?? "$default" }
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
    }
}
