import Foundation

/// What `deploy` decides from what CloudFormation says, without calling it: pure, so every branch is
/// unit-tested (Tests/LambdaAsyncDeployTests).
enum DeployDecisions {
    /// What to do with a stack found in `status` (nil: there is none).
    enum StackAction: Equatable {
        /// A change set of type CREATE: no stack, a stack only reviewed, or one deleted.
        case create
        /// A change set of type UPDATE.
        case update
        /// Delete the failed stack, wait, then create it anew (`--replace-failed`).
        case replace
        /// Stop and say why, with the command that fixes it.
        case refuse(String)
    }

    static func action(forStack stack: String, status: String?, replaceFailed: Bool) -> StackAction {
        switch status {
        case nil, "REVIEW_IN_PROGRESS", "DELETE_COMPLETE":
            return .create
        case "ROLLBACK_COMPLETE", "ROLLBACK_FAILED":
            guard replaceFailed else {
                return .refuse("stack \(stack) is in \(status!): its first creation failed and CloudFormation "
                    + "cannot update it. Deploy again with --replace-failed to delete it and create it anew (or delete it: lambda-async deploy --delete)")
            }
            return .replace
        case "UPDATE_ROLLBACK_FAILED":
            return .refuse("stack \(stack) is in UPDATE_ROLLBACK_FAILED: finish the rollback first with "
                + "`aws cloudformation continue-update-rollback --stack-name \(stack)` (skipping the resources that fail), then deploy again")
        default:
            return .update
        }
    }

    /// A failed change set that only means "nothing to change".
    static func meansNoChanges(_ reason: String) -> Bool {
        reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
    }

    /// The changes a person should see before they happen: removals, replacements (certain or
    /// conditional) and any IAM resource.
    static func risky(_ changes: [DeployResult.ChangeRow]) -> [DeployResult.ChangeRow] {
        changes.filter { $0.action == "Remove" || $0.replacement == "True" || $0.replacement == "Conditional" || $0.iam }
    }

    /// A change set name unique per deploy: two deploys in the same second do not collide.
    static func changeSetName(at date: Date = Date(), suffix: String = String(UUID().uuidString.prefix(8)).lowercased()) -> String {
        "lambda-async-\(Int(date.timeIntervalSince1970))-\(suffix)"
    }
}
