import Foundation

/// A SAM project with one function written by a test: `template.yaml` and the function's files
/// under `src/`. `extra` is YAML appended as is (more properties of the function at six spaces,
/// more resources at two).
public func writeSingleFunctionProject(at project: URL, name: String, runtime: String, handler: String = "app.handler",
                                       timeout: Int? = nil, extra: String = "", files: [String: String]) throws {
    try FileManager.default.createDirectory(at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
    let template = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Resources:
          \(name):
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: \(handler)
              Runtime: \(runtime)
        \(timeout.map { "      Timeout: \($0)\n" } ?? "")\(extra)
        """
    try template.write(to: project.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
    for (path, text) in files {
        let url = project.appendingPathComponent("src").appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Python that waits for a local Invoke API on port `sys.argv[1]`, then makes `lam`, a boto3 Lambda
/// client for it (dummy credentials, no retries): the start of every boto3 client script of the tests.
public let boto3ClientPreamble = """
    import base64, json, sys, time, socket
    port = int(sys.argv[1])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); break
        except OSError:
            time.sleep(0.05)
    import boto3
    from botocore.config import Config
    lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))

    """
