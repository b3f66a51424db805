import Foundation

/// The settings a template's functions and layers carry, and the properties SAM uploads from disk.
extension SAMTemplate {
    public struct EventInvokeConfig: Sendable, Equatable {
        /// 0-2; Lambda's default is 2.
        public var maximumRetryAttempts = 2
        /// 60-21,600 seconds; Lambda's default is 6 hours.
        public var maximumEventAgeSeconds = 21_600
        /// The logical ID (or ARN) of the destination for successes and for failures.
        public var onSuccess: String?
        public var onFailure: String?
        public init() {}
    }

    public struct FunctionURLConfig: Sendable, Equatable {
        /// `AWS_IAM` (callers sign with SigV4) or `NONE`.
        public let authType: String
        /// `BUFFERED` or `RESPONSE_STREAM`.
        public let invokeMode: String
        /// The URL's own CORS answer, when the template configures one.
        public let cors: CORS?

        public init(authType: String, invokeMode: String, cors: CORS? = nil) {
            self.authType = authType
            self.invokeMode = invokeMode
            self.cors = cors
        }

        /// `FunctionUrlConfig.Cors`: Lambda, not the function, answers preflight requests with it and
        /// adds its headers to the function's responses.
        public struct CORS: Sendable, Equatable {
            public var allowOrigins: [String] = []
            public var allowMethods: [String] = []
            public var allowHeaders: [String] = []
            public var exposeHeaders: [String] = []
            public var maxAge = 0
            public var allowCredentials = false
            public init() {}
        }
    }

    public enum LayerReference: Sendable, Equatable {
        /// `!Ref` to a layer of this template.
        case local(String)
        /// An ARN or an expression that is not one of this template's layers.
        case external(String)
    }

    public struct Layer: Sendable, Equatable {
        public let logicalID: String
        public let contentURI: String?
        public let contentURILocation: Location?
        public let compatibleRuntimes: [String]
    }

    /// A property whose value `sam package` and `sam deploy` upload from the local disk. They resolve
    /// it against the template's own folder, so a copy of the template elsewhere must point anew.
    public struct LocalPath: Sendable, Equatable {
        public let logicalID: String
        /// Dotted for nested properties: `Command.ScriptLocation`.
        public let property: String
        /// As written: relative to the template's folder, or absolute.
        public let path: String
        public let location: Location
    }

    /// The resource properties SAM uploads from a local path, by resource type.
    public static let localPathProperties: [String: [String]] = [
        "AWS::Serverless::Function": ["CodeUri"],
        "AWS::Serverless::LayerVersion": ["ContentUri"],
        "AWS::Serverless::Api": ["DefinitionUri"],
        "AWS::Serverless::HttpApi": ["DefinitionUri"],
        "AWS::Serverless::StateMachine": ["DefinitionUri"],
        "AWS::Serverless::GraphQLApi": ["SchemaUri"],
        "AWS::Serverless::Application": ["Location"],
        "AWS::Lambda::Function": ["Code"],
        "AWS::Lambda::LayerVersion": ["Content"],
        "AWS::ApiGateway::RestApi": ["BodyS3Location"],
        "AWS::ApiGatewayV2::Api": ["BodyS3Location"],
        "AWS::StepFunctions::StateMachine": ["DefinitionS3Location"],
        "AWS::AppSync::GraphQLSchema": ["DefinitionS3Location"],
        "AWS::AppSync::Resolver": ["RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location", "CodeS3Location"],
        "AWS::AppSync::FunctionConfiguration": ["RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location", "CodeS3Location"],
        "AWS::CloudFormation::Stack": ["TemplateURL"],
        "AWS::Glue::Job": ["Command.ScriptLocation"],
        "AWS::ElasticBeanstalk::ApplicationVersion": ["SourceBundle"],
        "AWS::CloudFormation::ModuleVersion": ["ModulePackage"],
        "AWS::CloudFormation::ResourceVersion": ["SchemaHandlerPackage"],
    ]
}
