//! The validated settings of a run: one params struct per stage, each checked before any work.

use crate::choose::ChooseParams;
use crate::cluster::ClusterParams;
use crate::error::Result;
use crate::evaluate::EvaluateParams;
use crate::label::LabelParams;
use crate::read::ReadParams;
use crate::reduce::ReduceParams;
use crate::spectral::SpectralParams;
use crate::text::TextParams;
use crate::vectorize::VectorizeParams;
use crate::write::WriteParams;

/// Everything [`crate::run`] needs. Build it with struct update syntax from `Default`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub read: ReadParams,
    pub text: TextParams,
    pub vectorize: VectorizeParams,
    pub reduce: ReduceParams,
    pub choose: ChooseParams,
    pub spectral: SpectralParams,
    pub cluster: ClusterParams,
    pub label: LabelParams,
    pub evaluate: EvaluateParams,
    pub write: WriteParams,
}

impl Config {
    /// Rejects nonsense settings before any input is read.
    pub fn check(&self) -> Result<()> {
        self.vectorize.check()?;
        self.reduce.check()?;
        self.choose.check()?;
        self.spectral.check()?;
        self.cluster.check()?;
        self.label.check()
    }
}
