//! The error codes notifications raise: stable snake_case strings, each with zh-CN and en text
//! in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of notifications.
    pub enum NotifyCode {
        UnknownEvent = "unknown_event",
        UnknownChannel = "unknown_notify_channel",
        UnknownLocale = "unknown_locale",
        /// A template names a placeholder its event does not fill (`{name}` in the message).
        UnknownPlaceholder = "unknown_placeholder",
        /// A `{` without its `}` (write `{{` for a brace).
        TemplateBraces = "template_braces",
        InvalidEmail = "invalid_email",
        InvalidWechat = "invalid_wechat",
        UnknownMessage = "unknown_message",
        /// Only a failed or pending message is sent again.
        MessageAlreadySent = "message_already_sent",
    }
}
