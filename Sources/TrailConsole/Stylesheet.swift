/// The console's only stylesheet, served at `/console.css` (the CSP allows styles from 'self' only;
/// no inline styles, no fonts beyond the system's). Chart colours are classes `s0`…`s8`.
enum Stylesheet {
    static let css = """
    body{font-family:system-ui,sans-serif;margin:0;color:#1d2329;background:#fafbfc}
    header{background:#1d2329;padding:.5rem 1rem}
    nav a{color:#e6edf3;margin-right:1rem;text-decoration:none}
    nav a.brand{font-weight:bold}
    nav form.search{display:inline}
    nav input{width:22rem}
    main{padding:1rem 1.5rem;max-width:1400px}
    h1{font-size:1.4rem;word-break:break-all}
    h2{font-size:1.1rem;margin-top:1.6rem}
    table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
    th,td{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top;max-width:32rem;overflow-wrap:break-word}
    th{white-space:nowrap}
    th{background:#eef1f4}
    dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
    dl.facts dt{font-weight:bold}
    dl.facts dd{margin:0;overflow-wrap:anywhere}
    pre{background:#f0f2f4;padding:.75rem;overflow:auto;font-size:.8rem;max-height:40rem}
    p.note{color:#8a4b00}
    p.error{color:#b00020;font-weight:bold}
    form.filters label{margin-right:.6rem;font-size:.85rem}
    form.filters input,form.filters select{width:9rem}
    .pager a{margin-right:1rem}
    .sev-critical,.sev-high{color:#b00020;font-weight:bold}
    .sev-medium{color:#8a4b00}
    svg.chart{background:#fff;border:1px solid #d0d7de}
    svg.chart text{font-size:11px;fill:#1d2329}
    svg.chart .axis{stroke:#8c959f}
    .s0{fill:#0969da}.s1{fill:#cf222e}.s2{fill:#1a7f37}.s3{fill:#bf8700}.s4{fill:#8250df}
    .s5{fill:#1b7c83}.s6{fill:#bc4c00}.s7{fill:#57606a}.s8{fill:#afb8c1}
    .sev-fill-critical{fill:#82071e}.sev-fill-high{fill:#cf222e}.sev-fill-medium{fill:#bf8700}.sev-fill-low{fill:#0969da}.sev-fill-info{fill:#8c959f}
    """
}
