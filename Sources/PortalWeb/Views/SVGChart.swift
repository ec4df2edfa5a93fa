import Foundation
import PortalCore

/// Server-rendered charts as inline SVG: a line (area) chart of one or two series over periods and a bar chart of
/// one. Each is an image to assistive technology (`role="img"` labelled by its `<title>` and a `<desc>` sentence
/// that sums the series up), every point carries its value in a `<title>` (a tooltip on hover), the size comes
/// from the `viewBox` only (it fills its container), and the colours are portal.css custom properties. All text
/// is escaped here, so a page may insert the result unescaped. Pure: the same input gives the same markup.
struct SVGChart {
    struct Series {
        var name: String
        var values: [Double]
        /// How one value reads (ticks, point titles and the description).
        var format: (Double) -> String
        /// A custom property of portal.css, e.g. `--brand`.
        var color: String
        /// Counts: the axis steps are whole numbers.
        var integral: Bool

        init(name: String, values: [Double], color: String = "--brand", integral: Bool = true,
             format: @escaping (Double) -> String = SVGChart.integer) {
            self.name = name
            self.values = values
            self.color = color
            self.integral = integral
            self.format = format
        }
    }

    /// The drawing's coordinate system (it scales to its container).
    static let width = 720.0
    static let height = 280.0
    static let top = 16.0
    static let bottom = 54.0
    static let side = 64.0
    /// The room one x-axis label needs; labels beyond what fits are skipped (thinned), evenly.
    static let labelWidth = 72.0

    // MARK: - Charts

    /// A line chart of one or two series over `periods` (the first series also as an area; a second series gets
    /// its own axis on the right). `axisLabels` are the short texts under the x axis (the periods when nil).
    static func line(id: String, title: String, periods: [String], axisLabels: [String]? = nil, periodName: String = "period",
                     series: [Series]) -> String {
        let series = Array(series.prefix(2))
        let right = series.count > 1 ? side : 16
        var svg = open(id: id, title: title, description: describe(title: title, periods: periods, periodName: periodName, series: series))
        guard !periods.isEmpty, let first = series.first else { return svg + empty() + "</svg>" }
        let plot = Plot(left: side, right: width - right, periods: periods.count)
        let leftTicks = niceTicks(max: first.values.max() ?? 0, integral: first.integral)
        svg += yAxis(ticks: leftTicks, format: first.format, plot: plot, rightSide: false, color: first.color)
        svg += xAxis(labels: axisLabels ?? periods, plot: plot)
        for (index, one) in series.enumerated() {
            let ticks = index == 0 ? leftTicks : niceTicks(max: one.values.max() ?? 0, integral: one.integral)
            if index == 1 { svg += yAxis(ticks: ticks, format: one.format, plot: plot, rightSide: true, color: one.color) }
            let scale = ticks.last ?? 1
            let points = one.values.prefix(periods.count).enumerated().map { (x: plot.x($0.offset), y: plot.y($0.element, scale: scale)) }
            guard !points.isEmpty else { continue }
            let line = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(number($0.element.x)) \(number($0.element.y))" }.joined(separator: " ")
            svg += "<g class=\"chart-series\">"
            if index == 0 {
                svg += "<path d=\"\(line) L\(number(points[points.count - 1].x)) \(number(plot.bottom)) L\(number(points[0].x)) \(number(plot.bottom)) Z\""
                    + " style=\"fill:var(\(one.color));fill-opacity:0.12;stroke:none\"/>"
            }
            svg += "<path d=\"\(line)\" style=\"fill:none;stroke:var(\(one.color));stroke-width:2\(index == 1 ? ";stroke-dasharray:6 4" : "")\"/>"
            // A marker with its value per point, while points are far enough apart to tell apart (about 5 px at
            // the chart's width); a year of days would be 732 overlapping dots. The values stay in the table beside.
            for (offset, point) in points.enumerated() where points.count <= Self.markerLimit {
                svg += "<circle cx=\"\(number(point.x))\" cy=\"\(number(point.y))\" r=\"3\" style=\"fill:var(\(one.color))\">"
                    + "<title>\(escape("\(periods[offset]): \(one.format(one.values[offset])) \(one.name.lowercased())"))</title></circle>"
            }
            svg += "</g>"
        }
        return svg + legend(series) + "</svg>"
    }

    /// A bar chart of one series over `periods`.
    static func bar(id: String, title: String, periods: [String], axisLabels: [String]? = nil, periodName: String = "period",
                    series: Series) -> String {
        var svg = open(id: id, title: title, description: describe(title: title, periods: periods, periodName: periodName, series: [series]))
        guard !periods.isEmpty else { return svg + empty() + "</svg>" }
        let plot = Plot(left: side, right: width - 16, periods: periods.count)
        let ticks = niceTicks(max: series.values.max() ?? 0, integral: series.integral)
        svg += yAxis(ticks: ticks, format: series.format, plot: plot, rightSide: false, color: series.color)
        svg += xAxis(labels: axisLabels ?? periods, plot: plot)
        let scale = ticks.last ?? 1
        let barWidth = max(1, plot.band * 0.7)
        svg += "<g class=\"chart-series\">"
        for (offset, value) in series.values.prefix(periods.count).enumerated() {
            let y = plot.y(value, scale: scale)
            svg += "<rect x=\"\(number(plot.x(offset) - barWidth / 2))\" y=\"\(number(y))\" width=\"\(number(barWidth))\""
                + " height=\"\(number(plot.bottom - y))\" style=\"fill:var(\(series.color))\">"
                + "<title>\(escape("\(periods[offset]): \(series.format(value)) \(series.name.lowercased())"))</title></rect>"
        }
        return svg + "</g></svg>"
    }

    // MARK: - Pieces

    /// The plot area and where a period and a value go in it.
    struct Plot {
        let left: Double
        let right: Double
        let periods: Int
        var top: Double { SVGChart.top }
        var bottom: Double { SVGChart.height - SVGChart.bottom }
        var band: Double { (right - left) / Double(max(periods, 1)) }
        /// The centre of period `index`'s band.
        func x(_ index: Int) -> Double { left + band * (Double(index) + 0.5) }
        func y(_ value: Double, scale: Double) -> Double {
            guard scale > 0 else { return bottom }
            return bottom - (bottom - top) * min(max(value, 0), scale) / scale
        }
    }

    static func open(id: String, title: String, description: String) -> String {
        let id = escape(id)
        return "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(width)) \(number(height))\""
            + " preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">"
            + "<title id=\"\(id)-title\">\(escape(title))</title><desc id=\"\(id)-desc\">\(escape(description))</desc>"
    }

    static func empty() -> String {
        "<text x=\"\(number(width / 2))\" y=\"\(number(height / 2))\" text-anchor=\"middle\" style=\"fill:var(--ink-faint)\">No data for this range</text>"
    }

    static func yAxis(ticks: [Double], format: (Double) -> String, plot: Plot, rightSide: Bool, color: String) -> String {
        let scale = ticks.last ?? 1
        var svg = "<g class=\"chart-axis\" font-size=\"14\">"
        for tick in ticks {
            let y = number(plot.y(tick, scale: scale))
            if !rightSide {
                svg += "<line x1=\"\(number(plot.left))\" x2=\"\(number(plot.right))\" y1=\"\(y)\" y2=\"\(y)\" style=\"stroke:var(--line)\"/>"
            }
            let x = rightSide ? plot.right + 6 : plot.left - 6
            svg += "<text x=\"\(number(x))\" y=\"\(y)\" dy=\"4\" text-anchor=\"\(rightSide ? "start" : "end")\""
                + " style=\"fill:var(\(rightSide ? color : "--ink-faint"))\">\(escape(format(tick)))</text>"
        }
        return svg + "</g>"
    }

    static func xAxis(labels: [String], plot: Plot) -> String {
        var svg = "<g class=\"chart-axis\" font-size=\"14\">"
        svg += "<line x1=\"\(number(plot.left))\" x2=\"\(number(plot.right))\" y1=\"\(number(plot.bottom))\" y2=\"\(number(plot.bottom))\" style=\"stroke:var(--ink-faint)\"/>"
        let step = labelStep(count: plot.periods, width: plot.right - plot.left)
        for (index, label) in labels.prefix(plot.periods).enumerated() where index % step == 0 {
            svg += "<text x=\"\(number(plot.x(index)))\" y=\"\(number(plot.bottom + 20))\" text-anchor=\"middle\" style=\"fill:var(--ink-faint)\">\(escape(label))</text>"
        }
        return svg + "</g>"
    }

    /// Every how many periods an x label is drawn, so the labels fit `width` without overlapping.
    static func labelStep(count: Int, width: Double) -> Int {
        let fits = max(1, Int(width / labelWidth))
        return max(1, (count + fits - 1) / fits)
    }

    static func legend(_ series: [Series]) -> String {
        guard series.count > 1 else { return "" }
        var svg = "<g class=\"chart-legend\" font-size=\"14\" aria-hidden=\"true\">"
        var x = side
        for (index, one) in series.enumerated() {
            let y = height - 6
            svg += "<line x1=\"\(number(x))\" x2=\"\(number(x + 18))\" y1=\"\(number(y - 4))\" y2=\"\(number(y - 4))\""
                + " style=\"stroke:var(\(one.color));stroke-width:2\(index == 1 ? ";stroke-dasharray:6 4" : "")\"/>"
            svg += "<text x=\"\(number(x + 24))\" y=\"\(number(y))\" style=\"fill:var(--ink-soft)\">\(escape(one.name))</text>"
            x += 24 + Double(one.name.count) * 7 + 24
        }
        return svg + "</g>"
    }

    // MARK: - Pure helpers

    /// The sentence a screen reader hears: per series its total over the periods and its highest value and where.
    static func describe(title: String, periods: [String], periodName: String, series: [Series]) -> String {
        guard !periods.isEmpty, !series.isEmpty else { return "\(title): no data for this range." }
        let count = periods.count
        let over = "over \(count) \(periodName)\(count == 1 ? "" : "s")"
        return series.map { one in
            let values = Array(one.values.prefix(count))
            let total = values.reduce(0, +)
            guard let highest = values.max(), highest > 0, let at = values.firstIndex(of: highest) else {
                return "\(one.name): \(one.format(total)) in total \(over)."
            }
            return "\(one.name): \(one.format(total)) in total \(over), highest \(one.format(highest)) on \(periods[at])."
        }.joined(separator: " ")
    }

    /// "Nice" y ticks from 0: steps of 1, 2 or 5 × 10ⁿ, about `count` of them, the last at or above `max`.
    /// `integral` keeps steps whole (counts). Zero or less gives `[0, 1]`.
    static func niceTicks(max: Double, count: Int = 5, integral: Bool = false) -> [Double] {
        guard max > 0, max.isFinite else { return [0, 1] }
        let rough = max / Double(Swift.max(count, 1))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let residual = rough / magnitude
        var step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        if integral { step = Swift.max(1, step.rounded()) }
        let steps = Int((max / step - 1e-9).rounded(.up))
        return (0...Swift.max(steps, 1)).map { clean(Double($0) * step) }
    }

    /// Drops floating-point noise (0.30000000000000004 → 0.3).
    static func clean(_ value: Double) -> Double {
        (value * 1e9).rounded() / 1e9
    }

    /// A whole number with thousands separators (`12,345`); fractions are rounded.
    static func integer(_ value: Double) -> String {
        let whole = Int64(value.rounded())
        return (whole < 0 ? "−" : "") + DigitGrouping.grouped(whole.magnitude)
    }

    /// The most points a line chart marks one by one.
    static let markerLimit = 120

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        // Integer arithmetic on tenths: printing a Double is the slow part of a chart with hundreds of points.
        guard value.isFinite, abs(value) < 1e15 else { return "0" }
        let tenths = Int64((value * 10).rounded())
        let whole = String(tenths.magnitude / 10)
        let fraction = tenths.magnitude % 10
        return (tenths < 0 ? "-" : "") + (fraction == 0 ? whole : whole + "." + String(fraction))
    }

    /// Text for SVG (XML) content and attribute values.
    static func escape(_ text: String) -> String { MarkupEscaping.escape(text) }
}
