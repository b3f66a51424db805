import Foundation
import Testing
import TestSupport
import LambdaAsyncCore
@testable import LambdaAsyncScaffold

@Suite struct GeneratorTests {
    static var supported: [Cell] { Matrix.cells.filter(\.isSupported) }

    /// EmbedFilesPlugin compiles Templates/ into the binary at build time: every file, byte for byte, with its execute bit.
    @Test func theBinaryCarriesEveryTemplateAsItIsOnDisk() throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates")
        let onDisk = (FileManager.default.enumerator(atPath: templates.path)?.compactMap { $0 as? String } ?? [])
            .filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: templates.appendingPathComponent(path).path, isDirectory: &isDirectory)
                    && !isDirectory.boolValue && path != "README.md"
            }
        #expect(Set(EmbeddedTemplates.files.map(\.path)) == Set(onDisk))
        for file in EmbeddedTemplates.files {
            let url = templates.appendingPathComponent(file.path)
            #expect(try String(contentsOf: url, encoding: .utf8) == file.contents, "\(file.path)")
            let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? 0
            #expect((mode & 0o100 != 0) == file.executable, "\(file.path)")
        }
    }

    @Test(arguments: supported.map { ($0.language, $0.strategy, $0.variant) })
    func everyCellRendersCompletely(language: ProjectLanguage, strategy: Strategy, variant: ExtensionVariant?) throws {
        let generator = try ProjectGenerator(options: ProjectOptions(name: "orders-api", language: language, strategy: strategy, variant: variant))
        let files = try generator.files()
        let paths = files.map(\.path)
        for required in ["template.yaml", "README.md", ".gitignore", "events/event.json"] {
            #expect(paths.contains(required), "\(required) missing")
        }
        #expect(paths.contains { $0.hasPrefix("src/") })
        #expect(paths.contains { $0.hasPrefix(language == .python ? "tests/test_" : "test/") })
        for file in files {
            // Every tag rendered, no HTML escaping, no CRLF, and no template machinery left over.
            #expect(!file.contents.contains("{{") && !file.path.contains("{{"), "\(file.path) has an unrendered tag")
            #expect(!file.contents.contains("&quot;") && !file.contents.contains("&#39;"), "\(file.path) was HTML-escaped")
            #expect(!file.contents.contains("\r"), "\(file.path) has CR characters")
            #expect(file.path != "_layout")
        }
        let executables = files.filter(\.executable).map(\.path)
        let expected: [String] = switch strategy {
        case .customRuntime: ["src/bootstrap"]
        case .extension where generator.cell.variant == .external: ["extension/extensions/orders-api-tasks"]
        default: []
        }
        #expect(executables == expected)
        for path in executables {
            #expect(files.first { $0.path == path }!.contents.hasPrefix("#!"))
        }
        let template = files.first { $0.path == "template.yaml" }!.contents
        #expect(template.contains("Runtime: \(language.defaultRuntime.identifier)"))
        #expect(template.contains("Default: arm64"))

        // Work that is not lost, logs by the platform (issue 12), in every cell.
        for fragment in ["LogFormat: JSON", "ApplicationLogLevel: !Ref LogLevel", "RetentionInDays: !Ref LogRetentionDays",
                         "FailedTasksQueue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain", "SqsManagedSseEnabled: true",
                         "FailedTasksAlarm:", "Condition: HasAlarmEmail", "FailedTasksQueueUrl:"] {
            #expect(template.contains(fragment), "\(strategy): \(fragment)")
        }
        let logGroups = template.components(separatedBy: "Type: AWS::Logs::LogGroup").count - 1
        #expect(logGroups == ([.asyncInvoke, .durable].contains(strategy) ? 2 : 1))
        if strategy != .asyncInvoke {
            // The task's retries and its queue: the permission to send there, and nothing wider.
            #expect(template.contains("FAILED_TASKS_QUEUE_URL: !Ref FailedTasksQueue"))
            #expect(template.contains("- SQSSendMessagePolicy:\n            QueueName: !GetAtt FailedTasksQueue.QueueName"))
            #expect(paths.contains { $0.hasSuffix("retries.py") || $0.hasSuffix("retries.mjs") })
        } else {
            #expect(template.contains("Destination: !GetAtt FailedTasksQueue.Arn"))
        }
        #expect(!template.contains("IdempotencyTable"))
        let readme = files.first { $0.path == "README.md" }!.contents
        #expect(readme.contains("## When a task fails") && readme.contains("lambda-async deploy"))
        #expect(!files.contains { $0.contents.contains("def log(level") || $0.contents.contains("export function log(") },
                "a hand-written logger is left")

        let withTable = try ProjectGenerator(options: ProjectOptions(name: "orders-api", language: language, strategy: strategy,
                                                                     variant: variant, idempotency: true)).files()
        let tableTemplate = withTable.first { $0.path == "template.yaml" }!.contents
        #expect(tableTemplate.contains("IdempotencyTable:\n    Type: AWS::DynamoDB::Table"))
        #expect(tableTemplate.contains("IDEMPOTENCY_TABLE: !Ref IdempotencyTable") && tableTemplate.contains("- DynamoDBCrudPolicy:"))
    }

    @Test func optionsReachTheTemplate() throws {
        let generator = try ProjectGenerator(options: ProjectOptions(
            name: "reports", language: .node, strategy: .streaming, runtime: LambdaRuntime("nodejs24.x"),
            architecture: .x86_64, memoryMB: 1024, timeoutSeconds: 120, publicURL: true))
        let template = try generator.files().first { $0.path == "template.yaml" }!.contents
        #expect(template.contains("Runtime: nodejs24.x"))
        #expect(template.contains("Default: x86_64"))
        #expect(template.contains("Default: 1024"))
        #expect(template.contains("Default: 120"))
        #expect(template.contains("AuthType: NONE"))
        #expect(template.contains("InvokeMode: RESPONSE_STREAM"))
    }

    @Test func powertoolsComesFromItsPublicLayerOnlyWhenAskedFor() throws {
        func files(_ language: ProjectLanguage, _ strategy: Strategy, runtime: String, powertools: Bool) throws -> [String: String] {
            let generator = try ProjectGenerator(options: ProjectOptions(
                name: "orders", language: language, strategy: strategy, runtime: LambdaRuntime(runtime), powertools: powertools))
            return Dictionary(uniqueKeysWithValues: try generator.files().map { ($0.path, $0.contents) })
        }
        let python = try files(.python, .customRuntime, runtime: "python3.12", powertools: true)
        #expect(python["template.yaml"]?.contains(#"- !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-${Architecture}:"#) == true)
        #expect(python["template.yaml"]?.contains("POWERTOOLS_SERVICE_NAME: orders") == true)
        #expect(python["src/log.py"]?.contains("from aws_lambda_powertools import Logger") == true)
        let node = try files(.node, .asyncInvoke, runtime: "nodejs22.x", powertools: true)
        #expect(node["template.yaml"]?.contains(#"- !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:"#) == true)
        #expect(node["src/log.mjs"]?.contains(#"("@aws-lambda-powertools/logger")"#) == true)

        // Without --powertools, no trace of it: only the standard library and the runtime's SDK.
        let plain = try files(.python, .extension, runtime: "python3.13", powertools: false)
            .merging(try files(.node, .streaming, runtime: "nodejs22.x", powertools: false), uniquingKeysWith: { $1 })
        for (path, contents) in plain {
            #expect(!contents.lowercased().contains("powertools"), "\(path)")
        }
    }

    @Test func refusedCellsNameWhatWorksInstead() throws {
        #expect(throws: ScaffoldError.self) { try Matrix.cell(language: .python, strategy: .streaming, variant: nil) }
        do {
            _ = try Matrix.cell(language: .python, strategy: .streaming, variant: nil)
        } catch {
            #expect("\(error)".contains("--language node"))
            #expect("\(error)".contains("custom-runtime"))
        }
        #expect(throws: ScaffoldError.self) { try Matrix.cell(language: .node, strategy: .extension, variant: .internal) }
        #expect(throws: ScaffoldError.variantWithoutExtension(.external)) {
            try Matrix.cell(language: .python, strategy: .asyncInvoke, variant: .external)
        }
        #expect(try Matrix.cell(language: .node, strategy: .extension, variant: nil).variant == .external)
        #expect(try Matrix.cell(language: .python, strategy: .extension, variant: nil).variant == .internal)
    }

    @Test(arguments: ["", "1orders", "orders api", "orders.api", "ordérs", String(repeating: "a", count: 65)])
    func badNamesAreRefused(name: String) {
        #expect(throws: ScaffoldError.self) { try ProjectOptions.validate(name: name) }
    }

    @Test(arguments: ["a", "orders-api", "Orders_API_2", String(repeating: "a", count: 64)])
    func goodNamesPass(name: String) throws {
        try ProjectOptions.validate(name: name)
    }

    @Test func runtimesMustMatchTheLanguageAndLimitsAreLambdas() {
        #expect(throws: ScaffoldError.self) {
            try ProjectGenerator(options: ProjectOptions(name: "x", language: .python, strategy: .extension, runtime: LambdaRuntime("nodejs22.x")))
        }
        #expect(throws: ScaffoldError.self) { try ProjectGenerator(options: ProjectOptions(name: "x", strategy: .extension, memoryMB: 64)) }
        #expect(throws: ScaffoldError.self) { try ProjectGenerator(options: ProjectOptions(name: "x", strategy: .extension, timeoutSeconds: 901)) }
    }

    @Test func namesBecomeIdentifiers() {
        let options = ProjectOptions(name: "orders-api_v2", strategy: .extension)
        #expect(options.pascalName == "OrdersApiV2")
        #expect(options.snakeName == "orders_api_v2")
    }
}
