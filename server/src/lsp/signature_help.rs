//! `textDocument/signatureHelp`: the called function's signature with the
//! parameter under the cursor, from `compiler::ide::signature`.

use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};
use ward_compiler::ide::signature;

use super::snapshot::Placeholder;

pub fn signature_help(p: &Placeholder) -> Option<SignatureHelp> {
    let help = signature::signature_help(&p.analysis, p.file, p.offset)?;
    let active = u32::try_from(help.active).ok();
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: help.label,
            documentation: help.documentation.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            parameters: Some(
                help.parameters
                    .into_iter()
                    .map(|p| ParameterInformation {
                        label: ParameterLabel::Simple(p),
                        documentation: None,
                    })
                    .collect(),
            ),
            active_parameter: active,
        }],
        active_signature: Some(0),
        active_parameter: active,
    })
}
