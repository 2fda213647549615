//! `k_selection.csv`: the k sweep's curve -> one CSV row per k tried.

use crate::cluster::choose::KSelection;

pub(super) fn k_selection_csv(selection: &KSelection) -> Vec<u8> {
    let mut out =
        String::from("k,criterion,stable,coherence_npmi,diversity,inertia,nmi_labels,chosen\n");
    let optional = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.6}"));
    for trial in &selection.trials {
        out.push_str(&format!(
            "{},{:.6},{},{:.6},{:.6},{:.6},{},{}\n",
            trial.k,
            trial.stability,
            u8::from(trial.is_stable()),
            trial.coherence,
            trial.diversity,
            trial.inertia,
            optional(trial.nmi),
            u8::from(trial.k == selection.k)
        ));
    }
    out.into_bytes()
}
