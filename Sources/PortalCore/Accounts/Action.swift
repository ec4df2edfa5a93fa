/// Everything a controller can guard. Each controller names the action it performs; `Authorization`
/// decides, in one table, which roles may perform it.
public enum Action: String, Sendable, CaseIterable {
    // Installation.
    case manageInstallation          // create programs, platform admins, see the outbox
    // Program administration (/admin).
    case viewProgram                 // dashboards, reports, partner lists
    case managePartners              // approve, reject, suspend, edit partners and groups
    case manageCommissions           // rules, manual commissions, reviews, refunds
    case managePayouts               // batches, mark paid or failed, exports
    case manageProgramSettings       // branding, terms, API keys, webhooks
    case messagePartners             // announcements and messages to partners
    case manageResources             // the resource library: upload, edit, schedule, archive
    case manageAdminTeam             // invite program staff, change their roles, remove them
    // Partner portal (/portal).
    case viewPartnerDashboard        // dashboard, analytics, commissions, payouts, resources
    case manageLinks                 // create and edit links and sub ids
    case managePayoutSettings        // payout method and details, tax forms
    case manageTeam                  // invite and remove team members, change roles
    case managePartnerIntegrations   // partner API keys and postbacks
    case messageProgram              // write to the program's managers
}
