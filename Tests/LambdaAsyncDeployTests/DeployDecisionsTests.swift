import Foundation
import Testing
@testable import LambdaAsyncDeploy

/// deploy's decisions from what CloudFormation says, without CloudFormation.
@Suite struct DeployDecisionsTests {
    @Test(arguments: [
        (nil, DeployDecisions.StackAction.create), ("REVIEW_IN_PROGRESS", .create), ("DELETE_COMPLETE", .create),
        ("CREATE_COMPLETE", .update), ("UPDATE_COMPLETE", .update), ("UPDATE_ROLLBACK_COMPLETE", .update),
    ] as [(String?, DeployDecisions.StackAction)])
    func aStackStateLeadsToCreateOrUpdate(status: String?, expected: DeployDecisions.StackAction) {
        #expect(DeployDecisions.action(forStack: "orders", status: status, replaceFailed: false) == expected)
    }

    @Test func aFailedFirstCreationIsReplacedOnlyWhenAsked() {
        for status in ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED"] {
            guard case .refuse(let reason) = DeployDecisions.action(forStack: "orders", status: status, replaceFailed: false) else {
                Issue.record("\(status) was not refused")
                continue
            }
            #expect(reason.contains("stack orders is in \(status)") && reason.contains("--replace-failed"))
            #expect(DeployDecisions.action(forStack: "orders", status: status, replaceFailed: true) == .replace)
        }
    }

    @Test func aFailedRollbackNamesTheCommandThatFinishesIt() {
        guard case .refuse(let reason) = DeployDecisions.action(forStack: "orders", status: "UPDATE_ROLLBACK_FAILED", replaceFailed: true) else {
            Issue.record("not refused")
            return
        }
        #expect(reason.contains("aws cloudformation continue-update-rollback --stack-name orders"))
    }

    @Test func riskyChangesAreRemovalsReplacementsAndIAM() {
        let changes: [DeployResult.ChangeRow] = [
            .init(action: "Modify", logicalID: "ApiFunction", type: "AWS::Lambda::Function", replacement: "False", iam: false),
            .init(action: "Remove", logicalID: "OldQueue", type: "AWS::SQS::Queue", replacement: nil, iam: false),
            .init(action: "Modify", logicalID: "Table", type: "AWS::DynamoDB::Table", replacement: "True", iam: false),
            .init(action: "Modify", logicalID: "Topic", type: "AWS::SNS::Topic", replacement: "Conditional", iam: false),
            .init(action: "Add", logicalID: "ApiFunctionRole", type: "AWS::IAM::Role", replacement: nil, iam: true),
            .init(action: "Add", logicalID: "Alarm", type: "AWS::CloudWatch::Alarm", replacement: nil, iam: false),
        ]
        #expect(DeployDecisions.risky(changes).map(\.logicalID) == ["OldQueue", "Table", "Topic", "ApiFunctionRole"])
    }

    @Test func noChangesIsToldApartFromAFailure() {
        #expect(DeployDecisions.meansNoChanges("The submitted information didn't contain changes. Submit different information to create a change set."))
        #expect(DeployDecisions.meansNoChanges("No updates are to be performed."))
        #expect(!DeployDecisions.meansNoChanges("Template format error: Unresolved resource dependencies [Missing]"))
    }

    @Test func changeSetNamesDifferWithinOneSecond() {
        let now = Date(timeIntervalSince1970: 1_765_000_000)
        let first = DeployDecisions.changeSetName(at: now), second = DeployDecisions.changeSetName(at: now)
        #expect(first != second && first.hasPrefix("lambda-async-1765000000-"))
        // CloudFormation's pattern: a letter, then letters, digits and hyphens, 128 at most.
        #expect(first.range(of: "^[A-Za-z][-A-Za-z0-9]{0,127}$", options: .regularExpression) != nil)
    }
}
