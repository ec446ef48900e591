import TrailStore

extension AlertList {
    /// Table or CSV through the formatter; JSON prints the stored alert lines.
    public func render(_ formatter: ResultFormatter) -> String {
        formatter.format == .json ? jsonLines.map { $0 + "\n" }.joined() : formatter.render(table)
    }
}
