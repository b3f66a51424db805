import Foundation
import Testing
@testable import LambdaAsyncProject
import LambdaAsyncCore

@Suite struct SAMTemplateTests {
    static let text = """
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Memory:
        Type: Number
        Default: 512
      Arch:
        Type: String
        Default: arm64
    Globals:
      Function:
        Runtime: python3.12
        Timeout: 30
        CodeUri: shared/
        Environment:
          Variables:
            LOG_LEVEL: INFO
    Resources:
      Api:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/api   # comment kept out of the value
          Handler: app.handler
          MemorySize: !Ref Memory
          Architectures: [!Ref Arch]
          Layers:
            - !Ref Ext
            - arn:aws:lambda:us-east-1:123456789012:layer:other:3
          Environment:
            Variables:
              WORKER: !Ref Worker
              TABLE: !Sub "${AWS::StackName}-table"
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: worker.handler
          Runtime: nodejs22.x
          EventInvokeConfig:
            MaximumRetryAttempts: 1
            MaximumEventAgeInSeconds: 600
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt Queue.Arn
              OnSuccess:
                Type: Lambda
                Destination: !Ref Api
          FunctionUrlConfig:
            AuthType: NONE
            InvokeMode: RESPONSE_STREAM
            Cors:
              AllowOrigins: [https://app.example.com]
              AllowMethods: [GET, POST]
              MaxAge: 300
              AllowCredentials: true
          Events:
            Q:
              Type: SQS
              Properties:
                Queue: !GetAtt Queue.Arn
      Image:
        Type: AWS::Serverless::Function
        Properties:
          PackageType: Image
          ImageUri: 123.dkr.ecr.us-east-1.amazonaws.com/x:1
      Ext:
        Type: AWS::Serverless::LayerVersion
        Properties:
          ContentUri: layers/ext
          CompatibleRuntimes:
            - python3.12
      Queue:
        Type: AWS::SQS::Queue
    """

    func parse() throws -> SAMTemplate {
        try SAMTemplate.parse(Self.text, url: URL(fileURLWithPath: "/project/template.yaml"))
    }

    @Test func readsFunctionsThroughShortTagsGlobalsAndParameters() throws {
        let template = try parse()
        #expect(template.functions.map(\.logicalID) == ["Api", "Image", "Worker"])
        let api = try template.function(named: "Api")
        #expect(api.codeURI == "src/api")
        #expect(api.handler == "app.handler")
        #expect(api.runtime?.identifier == "python3.12")
        #expect(api.memorySizeMB == 512)
        #expect(api.timeoutSeconds == 30)
        #expect(api.architecture == .arm64)
        #expect(api.layers == [.local("Ext"), .external("arn:aws:lambda:us-east-1:123456789012:layer:other:3")])
        #expect(api.environment["LOG_LEVEL"] == "INFO")
        #expect(api.environment["WORKER"] == "Worker", "Ref of a function: its name, as CloudFormation gives it")
        #expect(api.environment["TABLE"] == "project-table", "the stack is named after the project folder")

        let worker = try template.function(named: "Worker")
        #expect(worker.codeURI == "shared/")
        #expect(worker.codeURILocation == nil)
        #expect(worker.runtime?.family == .node)
        #expect(worker.memorySizeMB == 128)
        #expect(worker.eventInvokeConfig.maximumRetryAttempts == 1)
        #expect(worker.eventInvokeConfig.maximumEventAgeSeconds == 600)
        #expect(worker.eventInvokeConfig.onFailure == "Queue")
        #expect(worker.eventInvokeConfig.onSuccess == "Api")
        var cors = SAMTemplate.FunctionURLConfig.CORS()
        cors.allowOrigins = ["https://app.example.com"]
        cors.allowMethods = ["GET", "POST"]
        cors.maxAge = 300
        cors.allowCredentials = true
        #expect(worker.functionURL == SAMTemplate.FunctionURLConfig(authType: "NONE", invokeMode: "RESPONSE_STREAM", cors: cors))
        #expect(api.eventInvokeConfig == SAMTemplate.EventInvokeConfig())
        #expect(api.functionURL == nil)

        let image = try template.function(named: "Image")
        #expect(image.isImage && image.codeURI == nil)

        #expect(template.layers.map(\.logicalID) == ["Ext"])
        #expect(template.layers[0].compatibleRuntimes == ["python3.12"])
        #expect(template.resolve("src/api").path == "/project/src/api")
    }

    @Test func rewritingChangesOnlyTheCodeLocations() throws {
        let template = try parse()
        var rewriter = TemplateRewriter(template)
        rewriter.replaceValue(at: try template.function(named: "Api").codeURILocation!, with: "Api.zip")
        rewriter.insertProperty("CodeUri", value: "Worker.zip", before: try template.function(named: "Worker").propertiesLocation!)
        rewriter.replaceValue(at: template.layers[0].contentURILocation!, with: "Ext.zip")
        let rewritten = rewriter.text
        #expect(rewritten.contains("      CodeUri: 'Api.zip'\n      Handler: app.handler"))
        #expect(rewritten.contains("    Properties:\n      CodeUri: 'Worker.zip'\n      Handler: worker.handler"))
        #expect(rewritten.contains("      ContentUri: 'Ext.zip'\n"))
        // Everything else, short tags included, is byte for byte the same.
        let before = Self.text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("CodeUri: src/api") && !$0.contains("ContentUri:") }
        let after = rewritten.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains(".zip'") }
        #expect(before == after)
        let reparsed = try SAMTemplate.parse(rewritten, url: URL(fileURLWithPath: "/p/template.yaml"))
        #expect(try reparsed.function(named: "Worker").codeURI == "Worker.zip")
        #expect(try reparsed.function(named: "Api").environment["WORKER"] == "Worker")
    }

    @Test func findsEveryLocalPathSAMWouldUploadAndRelocatesThem() throws {
        let template = try SAMTemplate.parse("""
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Spec:
                Type: String
                Default: api.yaml
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: src/fn, Handler: app.handler, Runtime: python3.13}
              Api:
                Type: AWS::Serverless::HttpApi
                Properties:
                  DefinitionUri: ./api/openapi.yaml
              FromS3:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: prod
                  DefinitionUri: s3://bucket/openapi.yaml
              FromBucketKey:
                Type: AWS::Serverless::StateMachine
                Properties:
                  DefinitionUri: {Bucket: b, Key: k}
              FromParameter:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: prod
                  DefinitionUri: !Ref Spec
              Job:
                Type: AWS::Glue::Job
                Properties:
                  Command: {Name: glueetl, ScriptLocation: scripts/job.py}
                  Role: r
              Nested:
                Type: AWS::Serverless::Application
                Properties:
                  Location: /abs/app.yaml
            """, url: URL(fileURLWithPath: "/work/project/template.yaml"))
        #expect(template.localPaths.map { "\($0.logicalID).\($0.property)=\($0.path)" } == [
            "Api.DefinitionUri=./api/openapi.yaml", "Fn.CodeUri=src/fn", "Job.Command.ScriptLocation=scripts/job.py",
            "Nested.Location=/abs/app.yaml",
        ])
        let build = URL(fileURLWithPath: "/work/project/.lambda-async/build")
        #expect(template.relocated("./api/openapi.yaml", to: build) == "../../api/openapi.yaml")
        #expect(template.relocated("scripts/job.py", to: URL(fileURLWithPath: "/tmp/out")) == "../../work/project/scripts/job.py")
        #expect(template.relocated("src/fn", to: URL(fileURLWithPath: "/work/project/src")) == "fn")
        #expect(template.relocated(".", to: URL(fileURLWithPath: "/work/project")) == ".")
        #expect(template.relocated("/abs/app.yaml", to: build) == "/abs/app.yaml")
    }

    @Test func errorsSayWhatToDo() throws {
        #expect(throws: ProjectError.self) { try SAMTemplate.parse("Resources: [", url: URL(fileURLWithPath: "/t.yaml")) }
        #expect(throws: ProjectError.self) { try SAMTemplate.parse("Outputs: {}", url: URL(fileURLWithPath: "/t.yaml")) }
        #expect(throws: ProjectError.noTemplate("/nonexistent")) { try SAMTemplate.load(from: URL(fileURLWithPath: "/nonexistent")) }
        do {
            _ = try parse().function(named: "Nope")
            Issue.record("expected an error")
        } catch let error as ProjectError {
            #expect(error.description.contains("Api, Image, Worker"))
        }
    }
}

/// Intrinsic functions evaluated as a deployment would, with local values for what the stack holds.
@Suite struct IntrinsicsTests {
    static let text = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
          Zones: {Type: CommaDelimitedList, Default: "a,b"}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
          NotProd: {"Fn::Not": [{"Condition": IsProd}]}
        Resources:
          Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "jobs-${Stage}"}}
          Topic: {Type: AWS::SNS::Topic}
          Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: !Sub "orders-${Stage}"}}
          Bucket: {Type: AWS::S3::Bucket}
          Api:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.13
              MemorySize: !If [IsProd, 1024, 256]
              Environment:
                Variables:
                  TABLE: !Ref Table
                  TABLE_ARN: {"Fn::GetAtt": [Table, Arn]}
                  QUEUE_URL: !Ref Queue
                  QUEUE_ARN: !GetAtt Queue.Arn
                  TOPIC: !Ref Topic
                  BUCKET_ARN: !GetAtt Bucket.Arn
                  WHERE: !Sub "${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::Partition}"
                  LITERAL: !Sub "${!NotAVariable}"
                  JOINED: {"Fn::Join": ["-", [x, !Ref Stage, {"Ref": "AWS::URLSuffix"}]]}
                  SECOND: !Select [1, !Ref Zones]
                  SPLIT: !Select [2, !Split ["/", "a/b/c"]]
                  MODE: !If [NotProd, relaxed, strict]
                  ENCODED: !Base64 hello
                  SUBLIST: !Sub ["${A}:${B}", {A: !Ref Stage, B: !GetAtt Api.Arn}]
                  IMPORTED: !ImportValue shared-table
                  UNKNOWN: !GetAtt Queue.NoSuchAttribute
        """

    func api(_ overrides: [String: String] = [:]) throws -> (SAMTemplate, SAMTemplate.Function) {
        let template = try SAMTemplate.parse(Self.text, url: URL(fileURLWithPath: "/work/orders/template.yaml"), parameters: overrides)
        return (template, try template.function(named: "Api"))
    }

    @Test func everyIntrinsicHasItsLocalValue() throws {
        let (template, api) = try api()
        let env = api.environment
        #expect(env["TABLE"] == "orders-dev")
        #expect(env["TABLE_ARN"] == "arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev")
        #expect(env["QUEUE_URL"] == "https://sqs.us-east-1.amazonaws.com/000000000000/jobs-dev")
        #expect(env["QUEUE_ARN"] == "arn:aws:sqs:us-east-1:000000000000:jobs-dev")
        #expect(env["TOPIC"] == "arn:aws:sns:us-east-1:000000000000:Topic")
        #expect(env["BUCKET_ARN"] == "arn:aws:s3:::bucket")
        #expect(env["WHERE"] == "us-east-1/000000000000/orders/aws")
        #expect(env["LITERAL"] == "${NotAVariable}")
        #expect(env["JOINED"] == "x-dev-amazonaws.com")
        #expect(env["SECOND"] == "b")
        #expect(env["SPLIT"] == "c")
        #expect(env["MODE"] == "relaxed")
        #expect(env["ENCODED"] == "aGVsbG8=")
        #expect(env["SUBLIST"] == "dev:arn:aws:lambda:us-east-1:000000000000:function:Api")
        #expect(api.memorySizeMB == 256)
        // What only a deployment knows is left unset and named once.
        #expect(env["IMPORTED"] == nil && env["UNKNOWN"] == nil)
        #expect(template.unresolved.count == 2)
        #expect(template.unresolved.contains { $0.hasPrefix("Api: IMPORTED (!ImportValue shared-table) is left unset: Fn::ImportValue") })
        #expect(template.unresolved.contains { $0.hasPrefix("Api: UNKNOWN (!GetAtt Queue.NoSuchAttribute) is left unset") })
    }

    @Test func parametersOverrideTheirDefaultsWithinTheirAllowedValues() throws {
        let (_, api) = try api(["Stage": "prod", "Zones": "x, y, z"])
        #expect(api.environment["TABLE"] == "orders-prod" && api.environment["MODE"] == "strict" && api.environment["SECOND"] == "y")
        #expect(api.memorySizeMB == 1024)
        #expect(throws: ProjectError.invalidParameter("Stage must be one of dev, prod; got qa")) { try self.api(["Stage": "qa"]) }
        #expect(throws: ProjectError.invalidParameter("the template declares no parameter Nope (it has Stage, Zones)")) { try self.api(["Nope": "1"]) }
    }

    /// The resources a local AWS must hold: those the functions name (variables, policies,
    /// destinations, Sub), with the names those variables carry; not the unused ones, not one whose
    /// Condition is false.
    @Test func localResourcesAreWhatTheFunctionsUse() throws {
        let text = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage:
            Type: String
            Default: dev
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.13
              Environment:
                Variables:
                  TABLE: !Ref Orders
                  QUEUE_URL: !Ref Jobs
                  BUCKET: !Sub "${Uploads}"
                  SIMPLE: !Ref Simple
              Policies:
                - SNSPublishMessagePolicy:
                    TopicName: !GetAtt Alerts.TopicName
                - SQSSendMessagePolicy:
                    QueueName: !GetAtt ProdOnly.QueueName
              EventInvokeConfig:
                DestinationConfig:
                  OnFailure:
                    Type: SQS
                    Destination: !GetAtt Dead.Arn
          Orders:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Sub orders-${Stage}
              AttributeDefinitions:
                - {AttributeName: pk, AttributeType: S}
                - {AttributeName: sk, AttributeType: N}
                - {AttributeName: email, AttributeType: S}
              KeySchema:
                - {AttributeName: pk, KeyType: HASH}
                - {AttributeName: sk, KeyType: RANGE}
              GlobalSecondaryIndexes:
                - IndexName: byEmail
                  KeySchema: [{AttributeName: email, KeyType: HASH}]
                  Projection: {ProjectionType: KEYS_ONLY}
              TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
          Jobs:
            Type: AWS::SQS::Queue
            Properties:
              FifoQueue: true
              QueueName: jobs.fifo
              RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 5}
          Dead:
            Type: AWS::SQS::Queue
          Uploads:
            Type: AWS::S3::Bucket
          Simple:
            Type: AWS::Serverless::SimpleTable
            Properties:
              PrimaryKey: {Name: orderId, Type: Number}
          Alerts:
            Type: AWS::SNS::Topic
          ProdOnly:
            Type: AWS::SQS::Queue
            Condition: IsProd
          Unused:
            Type: AWS::SQS::Queue
        """
        let template = try SAMTemplate.parse(text, url: URL(fileURLWithPath: "/tmp/p/template.yaml"))
        let resources = Dictionary(uniqueKeysWithValues: template.localResources.map { ($0.logicalID, $0) })
        #expect(resources.keys.sorted() == ["Alerts", "Dead", "Jobs", "Orders", "Simple", "Uploads"])
        let orders = try #require(resources["Orders"])
        #expect(orders.name == "orders-dev" && orders.kind == .table)
        #expect(orders.keys == [.init(attribute: "pk", keyType: "HASH"), .init(attribute: "sk", keyType: "RANGE")])
        #expect(orders.attributeTypes == ["pk": "S", "sk": "N", "email": "S"])
        #expect(orders.globalIndexes.map(\.name) == ["byEmail"] && orders.globalIndexes.first?.projection == "KEYS_ONLY")
        #expect(orders.timeToLiveAttribute == "expires")
        // The name the function's variable carries: QUEUE_URL ends with it.
        let jobs = try #require(resources["Jobs"])
        #expect(jobs.name == "jobs.fifo" && template.functions[0].environment["QUEUE_URL"]?.hasSuffix("/jobs.fifo") == true)
        #expect(jobs.queueAttributes["FifoQueue"] == "true")
        #expect(jobs.queueAttributes["RedrivePolicy"]?.contains(#""maxReceiveCount":5"#) == true)
        #expect(jobs.queueAttributes["RedrivePolicy"]?.contains("sqs:us-east-1:000000000000:Dead") == true)
        #expect(resources["Simple"]?.keys == [.init(attribute: "orderId", keyType: "HASH")] && resources["Simple"]?.attributeTypes == ["orderId": "N"])
        #expect(resources["Uploads"]?.name == template.functions[0].environment["BUCKET"])
        #expect(resources["Alerts"]?.kind == .topic)
    }
}
