//! Minifiers for what the output holds: HTML (with its inline CSS and JS) through
//! minify-html, stylesheets through lightningcss and scripts through oxc, the same
//! engines minify-html uses inside pages. Anything they cannot parse is kept as written.

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};

pub fn html(html: &str) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = true;
    minify_html::minify(html.as_bytes(), &cfg)
}

pub fn css(text: &str) -> Option<String> {
    let mut sheet = StyleSheet::parse(text, ParserOptions::default()).ok()?;
    sheet.minify(MinifyOptions::default()).ok()?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .ok()?;
    Some(printed.code)
}

pub fn js(text: &str) -> Option<String> {
    use oxc_allocator::Allocator;
    use oxc_codegen::{Codegen, CodegenOptions};
    use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
    let allocator = Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, text, oxc_span::SourceType::cjs()).parse();
    if !parsed.errors.is_empty() || parsed.panicked {
        return None;
    }
    let mut program = parsed.program;
    let minified = Minifier::new(MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions::safest()),
    })
    .minify(&allocator, &mut program);
    let code = Codegen::new()
        .with_options(CodegenOptions {
            minify: true,
            ..CodegenOptions::default()
        })
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    Some(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stylesheets_and_scripts_shrink_and_keep_their_meaning() {
        let css = super::css("a  {\n  color : #ff0000 ;\n}\n/* note */\n").unwrap();
        assert_eq!(css, "a{color:red}");
        let js =
            super::js("(function () {\n  var answer = 40 + 2;\n  console.log(answer);\n})();\n")
                .unwrap();
        assert!(js.len() < 40, "{js}");
        assert!(js.contains("console.log"), "{js}");
        assert!(super::js("function (").is_none());
    }
}
