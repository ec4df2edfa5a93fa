import Testing
@testable import PortalWeb

/// The server-rendered SVG charts: axis ticks, escaping, the description sentence and the edge cases.
@Suite struct SVGChartTests {
    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func niceTicksRoundTheAxis() {
        #expect(SVGChart.niceTicks(max: 97) == [0, 20, 40, 60, 80, 100])
        #expect(SVGChart.niceTicks(max: 100) == [0, 20, 40, 60, 80, 100])
        #expect(SVGChart.niceTicks(max: 1_234) == [0, 500, 1_000, 1_500])
        #expect(SVGChart.niceTicks(max: 7) == [0, 2, 4, 6, 8])
        #expect(SVGChart.niceTicks(max: 0.3) == [0, 0.1, 0.2, 0.3])
        // Counts never get fractional steps.
        #expect(SVGChart.niceTicks(max: 2, integral: true) == [0, 1, 2])
        #expect(SVGChart.niceTicks(max: 1, integral: true) == [0, 1])
        // Nothing to scale: one step.
        #expect(SVGChart.niceTicks(max: 0) == [0, 1])
        #expect(SVGChart.niceTicks(max: -5) == [0, 1])
        #expect(SVGChart.niceTicks(max: .nan) == [0, 1])
    }

    @Test func everyTextIsEscaped() {
        let svg = SVGChart.line(id: "c\"x", title: "Clicks <b>&</b> 'more'", periods: ["<p>", "p&2"],
                                series: [SVGChart.Series(name: "A<B", values: [1, 2])])
        #expect(!svg.contains("<b>"))
        #expect(!svg.contains("<p>"))
        #expect(!svg.contains("A<B"))
        #expect(svg.contains("Clicks &lt;b&gt;&amp;&lt;/b&gt; &#39;more&#39;"))
        #expect(svg.contains("&lt;p&gt;: 1 a&lt;b"))
        #expect(svg.contains("p&amp;2"))
        #expect(svg.contains("aria-labelledby=\"c&quot;x-title c&quot;x-desc\""))
        #expect(SVGChart.escape("a&b<c>\"d'") == "a&amp;b&lt;c&gt;&quot;d&#39;")
    }

    @Test func isAnAccessibleResponsiveImage() throws {
        let svg = SVGChart.bar(id: "bars", title: "Clicks", periods: ["2026-11-01", "2026-11-02"], series: SVGChart.Series(name: "Clicks", values: [3, 4]))
        let open = String(svg[..<(try #require(svg.firstIndex(of: ">")))])
        #expect(open.contains("role=\"img\""))
        #expect(open.contains("viewBox=\"0 0 720 280\""))
        #expect(!open.contains(" width="))
        #expect(!open.contains(" height="))
        #expect(svg.contains("<title id=\"bars-title\">Clicks</title>"))
        #expect(svg.contains("<desc id=\"bars-desc\">"))
        #expect(Self.occurrences(of: "<rect", in: svg) == 2)
        #expect(svg.contains("<title>2026-11-02: 4 clicks</title>"))
        #expect(svg.contains("var(--brand)"))
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test func emptyData() {
        let svg = SVGChart.line(id: "e", title: "Clicks and earnings", periods: [], series: [SVGChart.Series(name: "Clicks", values: [])])
        #expect(svg.contains("No data for this range"))
        #expect(svg.contains("<desc id=\"e-desc\">Clicks and earnings: no data for this range.</desc>"))
        #expect(!svg.contains("<circle"))
        #expect(svg.hasSuffix("</svg>"))
        let bars = SVGChart.bar(id: "b", title: "Clicks", periods: [], series: SVGChart.Series(name: "Clicks", values: []))
        #expect(bars.contains("No data for this range"))
        #expect(!bars.contains("<rect"))
    }

    @Test func onePoint() {
        let svg = SVGChart.line(id: "one", title: "Clicks", periods: ["2026-11-25"], periodName: "day",
                                series: [SVGChart.Series(name: "Clicks", values: [5])])
        #expect(Self.occurrences(of: "<circle", in: svg) == 1)
        #expect(svg.contains("<title>2026-11-25: 5 clicks</title>"))
        #expect(svg.contains("Clicks: 5 in total over 1 day, highest 5 on 2026-11-25."))
        #expect(!svg.contains("nan"))
        #expect(!svg.contains("inf"))
    }

    @Test func theDescriptionSumsUpEachSeries() {
        let earnings = SVGChart.Series(name: "Earnings", values: [1.5, 0, 12.25], color: "--ok", integral: false) { "$" + String(format: "%.2f", $0) }
        let text = SVGChart.describe(title: "Chart", periods: ["2026-11-01", "2026-11-02", "2026-11-03"], periodName: "day",
                                     series: [SVGChart.Series(name: "Clicks", values: [1_200, 3_400, 3_400]), earnings])
        #expect(text == "Clicks: 8,000 in total over 3 days, highest 3,400 on 2026-11-02. Earnings: $13.75 in total over 3 days, highest $12.25 on 2026-11-03.")
        // All zero: a total, no highest.
        #expect(SVGChart.describe(title: "C", periods: ["w1", "w2"], periodName: "week", series: [SVGChart.Series(name: "Clicks", values: [0, 0])])
            == "Clicks: 0 in total over 2 weeks.")
    }

    @Test func xLabelsAreThinnedToFit() {
        #expect(SVGChart.labelStep(count: 7, width: 640) == 1)
        #expect(SVGChart.labelStep(count: 90, width: 640) == 12)
        let periods = (1...90).map { "d\($0)" }
        let svg = SVGChart.line(id: "x", title: "Clicks", periods: periods, series: [SVGChart.Series(name: "Clicks", values: periods.map { _ in 1 })])
        let labels = periods.filter { svg.contains(">\($0)</text>") }
        #expect(labels.count == 8)
        #expect(labels.first == "d1")
        // Every point still has its value for hover.
        #expect(Self.occurrences(of: "<circle", in: svg) == 90)
    }

    @Test func twoSeriesGetTwoAxesAndALegend() {
        let svg = SVGChart.line(id: "two", title: "Clicks and earnings", periods: ["a", "b"],
                                series: [SVGChart.Series(name: "Clicks", values: [10, 20]),
                                         SVGChart.Series(name: "Earnings", values: [1, 3], color: "--ok", integral: false) { "$\(SVGChart.integer($0))" }])
        #expect(svg.contains("text-anchor=\"start\" style=\"fill:var(--ok)\">$3</text>"))
        #expect(svg.contains("chart-legend"))
        #expect(svg.contains("<title>b: $3 earnings</title>"))
    }

    @Test func coordinatesHaveAtMostOneDecimal() {
        #expect(SVGChart.number(3) == "3")
        #expect(SVGChart.number(12.34) == "12.3")
        #expect(SVGChart.number(12.35) == "12.4")
        #expect(SVGChart.number(0.06) == "0.1")
        #expect(SVGChart.number(-0.5) == "-0.5")
        #expect(SVGChart.number(-0.04) == "0")
        #expect(SVGChart.number(-17.25) == "-17.3")
        #expect(SVGChart.number(640) == "640")
        #expect(SVGChart.number(.nan) == "0")
    }

    @Test func densePointsAreDrawnAsALineWithoutMarkers() {
        let periods = (0..<366).map { "d\($0)" }
        let values = periods.indices.map { Double($0 % 7) }
        let dense = SVGChart.line(id: "c", title: "Clicks", periods: periods, axisLabels: nil, periodName: "day",
                                  series: [SVGChart.Series(name: "Clicks", values: values, color: "--brand")])
        #expect(!dense.contains("<circle"))
        #expect(dense.contains("<path d=\"M"))
        let sparse = SVGChart.line(id: "c", title: "Clicks", periods: Array(periods.prefix(53)), axisLabels: nil, periodName: "week",
                                   series: [SVGChart.Series(name: "Clicks", values: Array(values.prefix(53)), color: "--brand")])
        #expect(sparse.components(separatedBy: "<circle").count - 1 == 53)
    }
}
