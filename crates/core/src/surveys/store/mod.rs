//! Every SQL text of surveys and the opinion library: the questionnaires (`surveys`,
//! `survey_questions`), the answers and the counts the analysis reads (`survey_responses`,
//! `survey_answers`), and the opinions (`opinions`). Other modules reach these tables only
//! through the functions here (tickets writes a complaint's opinion with [`opinions::insert`]).

pub(crate) mod answers;
pub(crate) mod opinions;
pub(crate) mod surveys;
