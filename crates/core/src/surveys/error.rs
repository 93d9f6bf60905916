//! The error codes of surveys and the opinion library: stable snake_case strings, each with
//! zh-CN and en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of surveys and opinions.
    pub enum SurveyCode {
        UnknownQuestionKind = "unknown_question_kind",
        UnknownSurveyState = "unknown_survey_state",
        UnknownAudience = "unknown_survey_audience",
        UnknownTopic = "unknown_opinion_topic",
        UnknownOpinionState = "unknown_opinion_state",
        UnknownOpinionSource = "unknown_opinion_source",
        /// A survey with no question.
        NoQuestions = "survey_no_questions",
        TooManyQuestions = "survey_too_many_questions",
        /// A choice question needs at least two options.
        OptionsRequired = "survey_options_required",
        TooManyOptions = "survey_too_many_options",
        /// The last day of the period is before its first.
        ClosesBeforeOpens = "survey_closes_before_opens",
        /// The period is over already: it cannot open.
        PeriodOver = "survey_period_over",
        /// A building not of the survey's community.
        UnknownBuilding = "survey_unknown_building",
        /// Only a draft is edited or opened (questions are fixed once it opens).
        NotDraft = "survey_not_draft",
        NotOpen = "survey_not_open",
        /// Answers after the survey closed (or before its period).
        SurveyClosed = "survey_closed",
        NotYetOpen = "survey_not_yet_open",
        /// The person is not among those the survey asks.
        NotTargeted = "survey_not_targeted",
        /// A required question left unanswered (`{question}` names it).
        AnswerRequired = "survey_answer_required",
        /// A score outside 1–5.
        ScoreRange = "survey_score_range",
        /// An option that the question does not have, or two for a single choice.
        InvalidChoice = "survey_invalid_choice",
        /// An answer to a question the survey does not have.
        UnknownQuestion = "survey_unknown_question",
        /// A reply needs its text.
        ReplyRequired = "opinion_reply_required",
        /// An anonymous opinion, or one whose author has no portal account: no reply reaches
        /// anybody.
        NoOneToReply = "opinion_no_one_to_reply",
    }
}
