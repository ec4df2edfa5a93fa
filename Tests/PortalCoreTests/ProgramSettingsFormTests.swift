import Testing
@testable import PortalCore

/// The pure parsers behind the admin console's program settings, application form and rule editor, and the preview.
@Suite struct ProgramSettingsFormTests {
    @Test func percentagesAreExactBasisPoints() {
        #expect(Percentage.basisPoints(from: "20") == 2000)
        #expect(Percentage.basisPoints(from: "12.5") == 1250)
        #expect(Percentage.basisPoints(from: " 0.25 % ") == 25)
        #expect(Percentage.basisPoints(from: "100") == 10_000)
        for bad in ["100.01", "1.234", "-1", "", ".5", "5.", "1e2", "abc", "１０"] { #expect(Percentage.basisPoints(from: bad) == nil, "\(bad)") }
        #expect(Percentage.text(basisPoints: 2000) == "20")
        #expect(Percentage.text(basisPoints: 1250) == "12.5")
        #expect(Percentage.text(basisPoints: 25) == "0.25")
        #expect(Percentage.text(basisPoints: 5) == "0.05")
        for bps: Int64 in [0, 1, 9, 10, 99, 100, 1234, 10_000] { #expect(Percentage.basisPoints(from: Percentage.text(basisPoints: bps)) == bps) }
    }

    @Test func hostNames() {
        for good in ["example.com", "shop.acme.example", "a-b.co", "xn--bcher-kva.example"] { #expect(HostName.isValid(good), "\(good)") }
        for bad in ["localhost", "1.2.3.4", "-a.com", "a-.com", "a..com", "EXAMPLE.COM", "exa mple.com", "a.com:80", "", "é.com"] {
            #expect(!HostName.isValid(bad), "\(bad)")
        }
    }

    static let valid: [String: String] = [
        "name": " Acme ", "currency": "jpy", "commission_percent": "15", "cookie_days": "30", "hold_days": "0",
        "attribution_model": "last_click", "min_payout": "5,000", "payout_schedule": "weekly", "default_url": "", "allowed_domains": "",
        "fallback_url": "", "override_percent": "0", "override_depth": "1",
    ]

    @Test func settingsParseWithTheNewCurrencysDecimals() throws {
        let parsed = try ProgramSettingsForm.parse(Self.valid, currentCurrency: "USD").get()
        #expect(parsed.name == "Acme" && parsed.currency == "JPY" && parsed.minPayout == 5000 && !parsed.autoApprove)
        var cents = Self.valid
        cents["currency"] = "USD"
        cents["min_payout"] = "50.5"
        #expect(try ProgramSettingsForm.parse(cents, currentCurrency: "USD").get().minPayout == 5050)
        var yen = Self.valid
        yen["min_payout"] = "50.5"
        guard case .failure(let errors) = ProgramSettingsForm.parse(yen, currentCurrency: "USD") else { Issue.record("JPY has no decimals"); return }
        #expect(errors.fields["min_payout"] != nil)
    }

    @Test func landingPageMustBeOnAnAllowedDomain() {
        var form = Self.valid
        form["allowed_domains"] = "acme.example"
        form["default_url"] = "https://other.example/"
        guard case .failure(let errors) = ProgramSettingsForm.parse(form, currentCurrency: "USD") else { Issue.record("accepted"); return }
        #expect(errors.fields["default_url"] == ["The landing page must be on one of the allowed domains."])
        form["default_url"] = "https://www.acme.example/start"
        #expect((try? ProgramSettingsForm.parse(form, currentCurrency: "USD").get()) != nil)
    }

    @Test func changesNameOnlyWhatChanged() throws {
        let old = try ProgramSettingsForm.parse(Self.valid, currentCurrency: "USD").get()
        var new = old
        new.holdDays = 30
        new.autoApprove = true
        #expect(new.changes(from: old) == ["hold days: 0 → 30", "auto-approve: off → on"])
        #expect(old.changes(from: old).isEmpty)
    }

    @Test func applicationFieldsRoundTripThroughTheStoredJSON() throws {
        let form: [String: String] = [
            "field_label_0": "Your audience?", "field_type_0": "textarea", "field_required_0": "1",
            "field_label_1": "", "field_name_1": "", "field_type_1": "text",
            "field_label_2": "Channel", "field_name_2": "channel", "field_type_2": "select", "field_options_2": "Blog, Video\nNewsletter",
        ]
        let fields = try ApplicationFieldsForm.parse(form, rows: 3).get()
        #expect(fields == [
            ApplicationField(name: "your_audience", label: "Your audience?", type: .textarea, required: true),
            ApplicationField(name: "channel", label: "Channel", type: .select, options: ["Blog", "Video", "Newsletter"]),
        ])
        #expect(ApplicationField.parse(ApplicationFieldsForm.json(fields)) == fields)
        guard case .failure(let errors) = ApplicationFieldsForm.parse(["field_label_0": "E-mail", "field_name_0": "email", "field_type_0": "text"], rows: 1) else {
            Issue.record("a reserved key was accepted"); return
        }
        #expect(errors.fields["field_0"]?.first?.contains("already used") == true)
    }

    @Test func ruleFormBuildsTheEnginesRule() throws {
        let parsed = try CommissionRuleForm.parse([
            "event": "sale", "scope": "sku", "scope_value": "PRO-1", "kind": "percentage", "rate_percent": "12.5",
            "tiers": "10,000.00 = 20 %\n1,000 = 15", "recurring": "months", "recurring_months": "6",
        ], currency: "USD").get()
        #expect(parsed.rule.scope == .productSKU("PRO-1") && parsed.rule.kind == .percentage(basisPoints: 1250))
        #expect(parsed.rule.tiers == [CommissionTier(minimumVolume: 100_000, basisPoints: 1500), CommissionTier(minimumVolume: 1_000_000, basisPoints: 2000)])
        #expect(parsed.rule.recurringMonths == 6)
        guard case .failure(let errors) = CommissionRuleForm.parse([
            "event": "sale", "scope": "program", "kind": "flat", "flat_amount": "5.00", "tiers": "100 = 10", "recurring": "lifetime",
        ], currency: "USD") else { Issue.record("tiers on a flat rule were accepted"); return }
        #expect(errors.fields["tiers"] == ["Tiers apply to percentage rules only."])
    }

    @Test func previewAgreesWithTheEngine() throws {
        let rules = [
            CommissionRule(id: 0, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 2000)),
            CommissionRule(id: 5, event: .sale, scope: .partnerGroup("Gold"), kind: .percentage(basisPoints: 3000),
                           tiers: [CommissionTier(minimumVolume: 500_000, basisPoints: 3500)]),
            CommissionRule(id: 6, event: .lead, scope: .programDefault, kind: .flat(amount: 500)),
        ]
        let gold = ConversionFacts(event: .sale, amount: 12_000, partnerID: 1, partnerGroup: "Gold", monthlyVolumeBefore: 490_000)
        let preview = try CommissionPreview.compute(rules: rules, facts: gold, overrideBasisPoints: 1000, overrideDepth: 2, parentLevels: 3)
        #expect(preview.rule?.id == 5 && preview.tierBasisPoints == 3500)
        #expect(preview.commission == (try CommissionCalculator.commission(for: gold, rule: rules[1])))
        #expect(preview.commission == 4200)
        #expect(preview.overrides.map(\.amount) == [420, 42])
        let lead = try CommissionPreview.compute(rules: rules, facts: ConversionFacts(event: .lead, amount: nil, partnerID: 1),
                                                 overrideBasisPoints: 0, overrideDepth: 0, parentLevels: 0)
        #expect(lead.commission == 500 && lead.rule?.id == 6)
        let none = try CommissionPreview.compute(rules: [rules[0]], facts: ConversionFacts(event: .lead, amount: nil, partnerID: 1),
                                                 overrideBasisPoints: 0, overrideDepth: 0, parentLevels: 0)
        #expect(none.rule == nil && none.commission == nil)
    }
}

@Suite struct ScheduledPayoutsTests {
    @Test func periodsStartOnMondaysAndFirstsInUTC() {
        // 2026-11-25 (a Wednesday) 15:00 UTC.
        let wednesday = CivilDate.days(year: 2026, month: 11, day: 25) * 86_400 + 15 * 3600
        #expect(ScheduledPayouts.periodStart(.weekly, now: wednesday) == CivilDate.days(year: 2026, month: 11, day: 23) * 86_400)
        #expect(CivilDate.weekday(days: CivilDate.days(year: 2026, month: 11, day: 23)) == CivilDate.weekday(days: CivilDate.days(year: 2026, month: 11, day: 30)))
        #expect(ScheduledPayouts.periodStart(.monthly, now: wednesday) == CivilDate.days(year: 2026, month: 11, day: 1) * 86_400)
        // A Monday at midnight starts its own week.
        let monday = CivilDate.days(year: 2026, month: 11, day: 30) * 86_400
        #expect(ScheduledPayouts.periodStart(.weekly, now: monday) == monday)
        #expect(ScheduledPayouts.periodStart(.weekly, now: monday - 1) == CivilDate.days(year: 2026, month: 11, day: 23) * 86_400)
        #expect(ScheduledPayouts.periodStart(.manual, now: monday) == nil)
    }
}
