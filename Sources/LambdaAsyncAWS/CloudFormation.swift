import Foundation

public struct CloudFormation: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }
    static let version = "2010-05-15"

    public struct Stack: Sendable {
        public let id: String
        public let name: String
        public let status: String
        public let statusReason: String?
        public let outputs: [(key: String, value: String, description: String?)]
    }

    public struct Change: Sendable, Equatable {
        public let action: String          // Add, Modify, Remove, Import, Dynamic
        public let logicalID: String
        public let type: String
        public let replacement: String?    // True, False, Conditional
        public let scopes: [String]
    }

    public struct ChangeSet: Sendable {
        public let id: String
        public let status: String          // CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED
        public let executionStatus: String?
        public let statusReason: String?
        public let changes: [Change]
    }

    public struct Event: Sendable, Equatable {
        public let id: String
        public let timestamp: String
        public let logicalID: String
        public let type: String
        public let status: String
        public let reason: String?
    }

    func call(_ action: String, _ parameters: [String: String]) async throws -> XMLElement {
        try await client.query("cloudformation", action, version: Self.version, parameters)
    }

    /// nil when the stack does not exist (or was deleted).
    public func stack(_ name: String) async throws -> Stack? {
        do {
            let xml = try await call("DescribeStacks", ["StackName": name])
            guard let member = xml.all("DescribeStacksResult/Stacks").first else { return nil }
            return Stack(id: member["StackId"] ?? "", name: member["StackName"] ?? name, status: member["StackStatus"] ?? "",
                         statusReason: member["StackStatusReason"],
                         outputs: member.all("Outputs").map { ($0["OutputKey"] ?? "", $0["OutputValue"] ?? "", $0["Description"]) })
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return nil
        }
    }

    public func createChangeSet(stack: String, name: String, type: String, templateBody: String?, templateURL: String?,
                                parameters: [String: String], tags: [String: String], capabilities: [String], onStackFailure: String?) async throws -> String {
        var form: [String: String] = ["StackName": stack, "ChangeSetName": name, "ChangeSetType": type,
                                      "Description": "lambda-async deploy"]
        if let templateBody { form["TemplateBody"] = templateBody }
        if let templateURL { form["TemplateURL"] = templateURL }
        for (index, capability) in capabilities.enumerated() { form["Capabilities.member.\(index + 1)"] = capability }
        for (index, (key, value)) in parameters.sorted(by: { $0.key < $1.key }).enumerated() {
            form["Parameters.member.\(index + 1).ParameterKey"] = key
            form["Parameters.member.\(index + 1).ParameterValue"] = value
        }
        for (index, (key, value)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            form["Tags.member.\(index + 1).Key"] = key
            form["Tags.member.\(index + 1).Value"] = value
        }
        if let onStackFailure, type == "CREATE" { form["OnStackFailure"] = onStackFailure }
        let xml = try await call("CreateChangeSet", form)
        return xml["CreateChangeSetResult/Id"] ?? name
    }

    public func changeSet(_ id: String, stack: String) async throws -> ChangeSet {
        var changes: [Change] = []
        var token: String?
        var last: XMLElement?
        repeat {
            var form = ["ChangeSetName": id, "StackName": stack]
            if let token { form["NextToken"] = token }
            let xml = try await call("DescribeChangeSet", form)
            let result = xml.first("DescribeChangeSetResult")
            last = result
            changes += (result?.all("Changes") ?? []).compactMap { member in
                guard let change = member.first("ResourceChange") else { return nil }
                return Change(action: change["Action"] ?? "", logicalID: change["LogicalResourceId"] ?? "", type: change["ResourceType"] ?? "",
                              replacement: change["Replacement"], scopes: change.all("Scope").map(\.text))
            }
            token = result?["NextToken"]
        } while token != nil
        return ChangeSet(id: id, status: last?["Status"] ?? "", executionStatus: last?["ExecutionStatus"], statusReason: last?["StatusReason"], changes: changes)
    }

    public func executeChangeSet(_ id: String, stack: String, disableRollback: Bool) async throws {
        var form = ["ChangeSetName": id, "StackName": stack]
        if disableRollback { form["DisableRollback"] = "true" }
        _ = try await call("ExecuteChangeSet", form)
    }

    public func deleteChangeSet(_ id: String, stack: String) async throws {
        _ = try await call("DeleteChangeSet", ["ChangeSetName": id, "StackName": stack])
    }

    public func deleteStack(_ name: String) async throws {
        _ = try await call("DeleteStack", ["StackName": name])
    }

    /// The newest events first, as CloudFormation lists them (first page only: callers poll).
    public func events(_ stack: String) async throws -> [Event] {
        let xml = try await call("DescribeStackEvents", ["StackName": stack])
        return xml.all("DescribeStackEventsResult/StackEvents").map {
            Event(id: $0["EventId"] ?? "", timestamp: $0["Timestamp"] ?? "", logicalID: $0["LogicalResourceId"] ?? "",
                  type: $0["ResourceType"] ?? "", status: $0["ResourceStatus"] ?? "", reason: $0["ResourceStatusReason"])
        }
    }

    /// Logical ID → physical ID of the stack's resources.
    public func resources(_ stack: String) async throws -> [(logicalID: String, physicalID: String, type: String, status: String)] {
        let xml = try await call("DescribeStackResources", ["StackName": stack])
        return xml.all("DescribeStackResourcesResult/StackResources").map {
            ($0["LogicalResourceId"] ?? "", $0["PhysicalResourceId"] ?? "", $0["ResourceType"] ?? "", $0["ResourceStatus"] ?? "")
        }
    }
}
