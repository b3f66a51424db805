import Foundation
import Testing
@testable import LambdaAsyncProject

/// SAM CLI's `--env-vars` JSON, as `invoke` and `serve` read it.
@Suite struct EnvironmentFileTests {
    func parse(_ json: String) throws -> EnvironmentFile {
        try EnvironmentFile.parse(Data(json.utf8), path: "env.json")
    }

    @Test func parametersForAllAFunctionsOwnOverThem() throws {
        let file = try parse(#"{"Parameters": {"LEVEL": "INFO", "N": 3, "ON": true, "RATE": 0.5}, "Api": {"LEVEL": "DEBUG", "OFF": false}}"#)
        #expect(file.variables(for: "Api") == ["LEVEL": "DEBUG", "N": "3", "ON": "true", "RATE": "0.5", "OFF": "false"])
        #expect(file.variables(for: "Worker") == ["LEVEL": "INFO", "N": "3", "ON": "true", "RATE": "0.5"])
        let template = try SAMTemplate.parse("""
            Resources:
              Api: {Type: AWS::Serverless::Function, Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.13}}
            """, url: URL(fileURLWithPath: "/p/template.yaml"))
        #expect(file.unknownFunctions(in: template).isEmpty)
        #expect(try parse(#"{"Api": {}, "Wroker": {}}"#).unknownFunctions(in: template) == ["Wroker"])
    }

    @Test func whatIsNotAVariableIsRefusedWithTheFix() {
        for (json, expected) in [
            ("[1, 2]", "it is not a JSON object"),
            ("{\"Parameters\": 3}", #""Parameters" must map variable names to values"#),
            ("{\"Api\": {\"LIST\": [1]}}", "Api.LIST is not a string, number or boolean"),
            ("{\"Api\": {\"NOTHING\": null}}", "Api.NOTHING is not a string, number or boolean"),
            ("{oops", "it is not a JSON object"),
        ] {
            #expect(throws: ProjectError.self, "\(json)") { try parse(json) }
            do { _ = try parse(json) } catch {
                #expect("\(error)".hasPrefix("env.json is not an environment file: \(expected)"), "\(json): \(error)")
            }
        }
    }
}
