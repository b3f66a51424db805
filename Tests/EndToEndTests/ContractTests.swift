import Foundation
import Testing
import TestSupport

/// Rows of the Runtime and Extensions API contract where the runner answers as Lambda does, each
/// probed by a function or an extension written for it.
@Suite(.timeLimit(.minutes(10))) struct ContractTests {
    typealias Function = InvokeTests.Function

    @Test func theExtensionsAPIRefusesWhatLambdaRefuses() async throws {
        let function = try Function([
            "code/app.py": "def handler(event, context):\n    return 'ok'\n",
            "layer/extensions/probe": """
                #!/usr/bin/env python3
                import json, os, urllib.request, urllib.error
                api = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
                def call(path, body=b"", headers={}, method="POST"):
                    try:
                        with urllib.request.urlopen(urllib.request.Request(api + path, data=body if method == "POST" else None,
                                                                           headers=headers, method=method)) as r:
                            return r.status, r.headers, r.read().decode()
                    except urllib.error.HTTPError as e:
                        return e.code, e.headers, e.read().decode()
                events = json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode()
                status, headers, body = call("/register", events, {"Lambda-Extension-Name": "probe", "Lambda-Extension-Accept-Feature": "accountId"})
                ident = headers["Lambda-Extension-Identifier"]
                print("register", status, json.loads(body).get("accountId"), flush=True)
                print("second", call("/register", events, {"Lambda-Extension-Name": "probe"})[0], flush=True)
                print("init-error-without-type", call("/init/error", b"{}", {"Lambda-Extension-Identifier": ident})[0], flush=True)
                while True:
                    status, _, body = call("/event/next", headers={"Lambda-Extension-Identifier": ident}, method="GET")
                    if json.loads(body)["eventType"] == "SHUTDOWN":
                        break
                """,
        ], executable: ["layer/extensions/probe"])
        defer { function.remove() }
        let (result, records) = try await function.invoke(["--code", function.path("code"), "--runtime", "python3.11", "--handler", "app.handler",
                                                      "--layer", function.path("layer")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("register 200 000000000000"), "\(result.stderr)")
        #expect(result.stderr.contains("second 403"))
        #expect(result.stderr.contains("init-error-without-type 403"))
        #expect(records.first?["error"] == nil || records.first?["error"] is NSNull)
    }

    @Test func nodeCallbackHandlersWaitForAnEmptyEventLoopUnlessToldNotTo() async throws {
        let function = try Function(["index.mjs": """
            export const handler = (event, context, callback) => {
              context.callbackWaitsForEmptyEventLoop = event.wait;
              setTimeout(() => console.log("timer fired"), 400);
              callback(null, { waited: event.wait });
            };
            """])
        defer { function.remove() }
        let (waits, waitsRecords) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs22.x", "--handler", "index.handler"],
                                                       event: #"{"wait": true}"#)
        #expect(waits.stdout.contains(#"{"waited":true}"#), "\(waits.stderr)")
        // The answer came after the pending timer: the event loop had to empty first.
        #expect(InvokeTests.number(waitsRecords.first ?? [:], "responseMs") >= 400, "\(waitsRecords)")
        let (quick, quickRecords) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs22.x", "--handler", "index.handler"],
                                                       event: #"{"wait": false}"#)
        #expect(quick.stdout.contains(#"{"waited":false}"#), "\(quick.stderr)")
        #expect(InvokeTests.number(quickRecords.first ?? [:], "responseMs") < 300, "\(quickRecords)")
    }

    /// Node.js 24 removed callback handlers: the same handler fails at init with the runtime client's
    /// own error (it ran, waited for its timer and answered, passing locally what Lambda refuses); an
    /// async handler's unawaited work is frozen at its return, never waited for.
    @Test func nodejs24RefusesCallbackHandlersAndWaitsForNothing() async throws {
        let function = try Function([
            "index.mjs": """
                export const handler = (event, context, callback) => {
                  setTimeout(() => console.log("timer fired"), 300);
                  callback(null, { waited: true });
                };
                """,
            "async.mjs": """
                export const handler = async () => {
                  setTimeout(() => console.log("unawaited timer fired"), 300);
                  return { answered: true };
                };
                """,
        ])
        defer { function.remove() }
        let (refused, _) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs24.x", "--handler", "index.handler"], event: "{}")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Runtime.CallbackHandlerDeprecated"), "\(refused.stderr)")
        #expect(refused.stderr.contains("AWS Lambda has removed support for callback-based function handlers starting with Node.js 24"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("waited"), "\(refused.stdout)")
        let (async, records) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs24.x", "--handler", "async.handler"], event: "{}")
        #expect(async.stdout.contains(#"{"answered":true}"#), "\(async.stderr)")
        #expect(!async.stderr.contains("unawaited timer fired"), "\(async.stderr)")
        #expect(InvokeTests.number(records.first ?? [:], "responseMs") < 250, "\(records)")
    }

    @Test func anAsyncDefPythonHandlerIsRefusedBeforeItShips() async throws {
        let function = try Function(["app.py": "async def handler(event, context):\n    return 'never awaited'\n"])
        defer { function.remove() }
        let zip = function.path("f.zip")
        let result = try await TestSupport.run(Binary.url.path, ["package", "--function", function.root.path, "--runtime", "python3.13",
                                                            "--handler", "app.handler", "-o", zip])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("`async def handler` is never awaited"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: zip))
        // And what Lambda would do with it, locally: the coroutine is not JSON.
        let (_, records) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler"])
        #expect(records.first?["error"] as? String == "Runtime.MarshalError")
    }

    @Test func aResponseModeOtherThanStreamingFailsTheInvocation() async throws {
        let function = try Function(["bootstrap": """
            #!/bin/sh
            api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
            headers=$(mktemp)
            curl -sS -D "$headers" -o /dev/null "$api/invocation/next"
            id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
            curl -sS -o /dev/null -w 'mode answer %{http_code}\\n' -X POST -H 'Lambda-Runtime-Function-Response-Mode: buffered' --data '"x"' "$api/invocation/$id/response" >&2
            curl -sS -o /dev/null "$api/invocation/next"
            """], executable: ["bootstrap"])
        defer { function.remove() }
        let (result, records) = try await function.invoke(["--code", function.root.path, "--runtime", "provided.al2023"])
        #expect(records.first?["error"] as? String == "Runtime.InvalidResponseModeHeader", "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("mode answer 400"))
    }

    @Test func pythonErrorsTimeoutsLimitsAndBillingAreLambdas() async throws {
        let function = try Function([
            "broken.py": "raise ValueError('bad configuration')\n",
            "app.py": """
                import time
                def handler(event, context):
                    if 'n' in event:
                        return 'x' * event['n']
                    if event.get('sleep'):
                        time.sleep(event['sleep'])
                    raise KeyError('sku')
                """,
        ])
        defer { function.remove() }
        func run(_ handler: String, _ event: String, _ extra: [String] = []) async throws -> (ProcessResult, [String: Any]) {
            let (result, records) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", handler] + extra,
                                                        event: event)
            return (result, records.first ?? [:])
        }
        // A module that raises at import: its exception's class is the error type.
        let (broken, brokenRecord) = try await run("broken.handler", "{}")
        #expect(brokenRecord["error"] as? String == "ValueError", "\(broken.stdout) \(broken.stderr)")
        // A handler's error carries the request id, as Lambda's Python runtime sends it.
        let (raised, raisedRecord) = try await run("app.handler", "{}")
        let body = try JSONSerialization.jsonObject(with: Data(raised.stdout.utf8)) as? [String: Any]
        #expect(body?["errorType"] as? String == "KeyError")
        #expect(body?["requestId"] as? String == raisedRecord["requestId"] as? String, "\(raised.stdout)")
        // A cold invocation is billed for its init too.
        let duration = (raisedRecord["durationMs"] as? Double) ?? 0, initMs = (raisedRecord["initDurationMs"] as? Double) ?? 0
        #expect(initMs > 0 && (raisedRecord["billedDurationMs"] as? Int ?? 0) == Int((duration + initMs).rounded(.up)), "\(raisedRecord)")
        // The timeout's message names the request, as Lambda's does.
        let (timedOut, timedOutRecord) = try await run("app.handler", #"{"sleep": 5}"#, ["--timeout", "1"])
        let id = timedOutRecord["requestId"] as? String ?? "?"
        #expect(timedOut.stdout.contains("RequestId: \(id) Error: Task timed out after 1.00 seconds"), "\(timedOut.stdout)")
        // The Runtime API takes 6,291,556 bytes of response and not one more ('x' * n is n + 2 bytes of JSON).
        let (fits, fitsRecord) = try await run("app.handler", #"{"n": 6291554}"#, ["--memory", "512", "--output", function.path("big.json")])
        #expect(fitsRecord["error"] == nil || fitsRecord["error"] is NSNull, "\(fits.stderr)")
        let (over, overRecord) = try await run("app.handler", #"{"n": 6291555}"#, ["--memory", "512"])
        #expect(overRecord["error"] as? String == "Function.ResponseSizeTooLarge", "\(over.stderr)")
    }
}
