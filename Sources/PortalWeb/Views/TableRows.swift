import PortalCore

/// Table body rows written in Swift for the long tables of a page (a year of days, breakdowns), where a template's
/// per-cell lookups cost more than the page's queries. Each row is a heading cell and number cells; every text is
/// escaped here, so a template inserts the result with triple braces and nothing else.
enum TableRows {
    struct Row {
        var heading: String
        /// Shown muted (a placeholder such as "(no link)").
        var muted = false
        var numbers: [String]
    }

    static func html(_ rows: [Row]) -> String {
        var html = ""
        html.reserveCapacity(rows.count * 200)
        for row in rows {
            html += row.muted ? "<tr><th scope=\"row\" class=\"muted\">" : "<tr><th scope=\"row\">"
            html += MarkupEscaping.escape(row.heading)
            html += "</th>"
            for number in row.numbers {
                html += "<td class=\"number\">"
                html += MarkupEscaping.escape(number)
                html += "</td>"
            }
            html += "</tr>\n"
        }
        return html
    }
}
