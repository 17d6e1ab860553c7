//! Page languages: Simplified Chinese by default, English by `?lang=en`, the `signet_lang`
//! cookie the switch sets, or `Accept-Language`.
//!
//! Messages are one table of `(key, zh, en)`; templates read them as `t.<key>`, so a page
//! never mixes languages and a missing key shows up in the table's unit test, not in a page.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use super::security::cookie;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// The cookie the language switch sets.
pub const LANG_COOKIE: &str = "signet_lang";

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        if raw.starts_with("zh") {
            Some(Self::Zh)
        } else if raw.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The language of a request: explicit choice, then the cookie, then the browser's first
    /// supported preference; Chinese otherwise.
    pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(lang) = query_lang.and_then(Self::parse) {
            return lang;
        }
        if let Some(lang) = cookie(headers, LANG_COOKIE).as_deref().and_then(Self::parse) {
            return lang;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').filter_map(|part| Self::parse(part.split(';').next().unwrap_or(""))).next())
            .unwrap_or(Self::Zh)
    }

    /// The message table in this language, for templates.
    pub fn messages(self) -> BTreeMap<&'static str, &'static str> {
        MESSAGES.iter().map(|(key, zh, en)| (*key, if self == Self::Zh { *zh } else { *en })).collect()
    }

    /// One message.
    pub fn t(self, key: &str) -> &'static str {
        MESSAGES
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|(_, zh, en)| if self == Self::Zh { *zh } else { *en })
            .unwrap_or("?")
    }
}

/// Every text the pages show.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("brand", "Signet 电子签约", "Signet e-signing"),
    ("switch_lang", "English", "中文"),
    ("switch_lang_code", "en", "zh"),
    ("state_title", "无法继续", "Cannot continue"),
    (
        "link_expired",
        "此链接已过期。请联系合同发起方重新发送签署链接。",
        "This link has expired. Ask the sender of the contract for a new link.",
    ),
    (
        "link_replaced",
        "此链接已失效：发起方已发送了新的链接。请使用最新收到的链接。",
        "This link is no longer valid: the sender issued a newer one. Use the latest link you received.",
    ),
    ("link_unknown", "链接无效。请检查链接是否完整。", "This link is not valid. Check that it is complete."),
    ("flow_completed", "合同已全部签署完成。", "The contract has been signed by everyone."),
    ("flow_revoked", "发起方已撤销此合同。", "The sender has withdrawn this contract."),
    ("flow_expired", "此合同已过签署截止时间。", "The signing deadline of this contract has passed."),
    ("flow_rejected", "此合同已被拒签。", "This contract was declined."),
    ("flow_draft", "此合同尚未发起。", "This contract has not been sent for signing yet."),
    ("signer_signed", "您已签署此合同。", "You have already signed this contract."),
    ("signer_rejected", "您已拒签此合同。", "You declined to sign this contract."),
    ("signer_withdrawn", "此签署任务已被撤回。", "This signing task was withdrawn."),
    (
        "not_your_turn",
        "还未轮到您签署：需等待前序签署方完成签署后再打开此链接。",
        "It is not your turn yet: open this link again after the earlier signers have signed.",
    ),
    ("error_generic", "出现了问题，请稍后重试。", "Something went wrong. Please try again later."),
    ("csrf_failed", "页面已过期，请刷新后重试。", "The page has expired. Reload it and try again."),
    ("rate_limited", "操作过于频繁，请稍后再试。", "Too many attempts. Please wait and try again."),
    ("initiator", "发起方", "Sent by"),
    ("document", "合同文件", "Document"),
    ("documents", "合同文件", "Documents"),
    ("attachments", "文件列表", "Files"),
    ("pages_count", "页", "pages"),
    ("page_of", "第 {n} 页", "Page {n}"),
    ("zoom_in", "放大", "Zoom in"),
    ("zoom_out", "缩小", "Zoom out"),
    ("step_read", "阅读合同", "Read the contract"),
    ("step_identity", "签署人", "Signer"),
    ("step_verify", "意愿认证", "Confirm it is you"),
    ("step_seal", "选择印章或手写签名", "Choose a seal or draw your signature"),
    ("step_place", "放置签章", "Place the seal"),
    ("step_confirm", "确认签署", "Sign"),
    ("name", "姓名", "Name"),
    ("id_number", "证件号", "ID number"),
    ("organisation", "签署单位", "Signing for"),
    ("agent", "经办人", "Agent"),
    ("send_code", "获取验证码", "Send code"),
    ("resend_in", "{s} 秒后可重新发送", "Resend in {s} s"),
    ("code_sent_to", "验证码已发送至 {to}", "A code was sent to {to}"),
    ("code_label", "验证码", "Verification code"),
    ("verify", "验证", "Verify"),
    ("verified", "已完成意愿认证", "Verified"),
    ("code_wrong", "验证码错误，请重新输入。", "The code is wrong. Try again."),
    ("code_expired", "验证码已过期，请重新获取。", "The code has expired. Request a new one."),
    ("code_used", "验证码已使用，请重新获取。", "The code was already used. Request a new one."),
    (
        "code_too_many",
        "错误次数过多，验证码已失效，请重新获取。",
        "Too many wrong attempts: the code no longer works. Request a new one.",
    ),
    ("code_not_sent", "请先获取验证码。", "Request a code first."),
    ("code_too_soon", "验证码刚刚发送过，请稍后再试。", "A code was sent moments ago. Wait before requesting another."),
    (
        "no_contact",
        "您的账户没有可接收验证码的手机号或邮箱，请联系发起方。",
        "Your account has no phone number or e-mail for codes. Contact the sender.",
    ),
    ("draw_signature", "手写签名", "Draw a signature"),
    ("draw_hint", "请在框内书写您的签名", "Sign inside the box"),
    ("clear", "清除", "Clear"),
    ("undo", "撤销一笔", "Undo stroke"),
    ("use_signature", "使用此签名", "Use this signature"),
    ("your_seals", "您的印章", "Your seals"),
    ("company_seals", "单位印章", "Company seals"),
    ("seal_image", "印章图片", "Seal image"),
    (
        "place_hint",
        "将签章拖到合同页面上需要盖章的位置；可添加多个。也可用键盘：选中签章后按方向键移动。",
        "Drag the seal onto the page where it belongs; you can add several. With a keyboard: select a seal and move it with the arrow keys.",
    ),
    ("fixed_hint", "签章位置已由发起方指定（虚线框）。", "The sender fixed where the seal goes (dashed boxes)."),
    ("add_seal", "在当前页添加签章", "Add the seal on this page"),
    ("remove_seal", "移除签章", "Remove seal"),
    ("placed_seal", "已放置的签章", "Placed seal"),
    ("sign", "确认签署", "Sign now"),
    ("signing", "正在签署…", "Signing…"),
    ("need_verify", "请先完成意愿认证。", "Confirm it is you first."),
    ("need_seal", "请先选择印章或手写签名。", "Choose a seal or draw a signature first."),
    ("need_place", "请至少放置一个签章。", "Place at least one seal."),
    ("document_password", "合同编辑密码", "The contract's edit password"),
    (
        "document_password_hint",
        "发起方为此合同设置了编辑密码，签署前请输入。",
        "The sender protected this contract with an edit password; type it to sign.",
    ),
    ("need_password", "请输入合同编辑密码。", "Type the contract's edit password."),
    ("reject", "拒签", "Decline"),
    ("reject_reason", "拒签原因", "Reason for declining"),
    ("reject_confirm", "确认拒签", "Decline to sign"),
    ("cancel", "取消", "Cancel"),
    ("rejected_done", "您已拒签此合同，发起方会收到通知。", "You declined to sign. The sender will be told."),
    ("done_title", "签署完成", "Signed"),
    ("done_text", "您已成功签署合同。", "You have signed the contract."),
    ("download", "下载已签署的合同", "Download the signed contract"),
    ("redirect_in", "{s} 秒后返回", "Returning in {s} s"),
    ("position_title", "拖章定位", "Place signature fields"),
    (
        "position_hint",
        "为每位签署人选择后，拖动签章框到合同页面上的位置，然后保存。",
        "Pick a signer, drag the field onto the page, then save.",
    ),
    ("signer", "签署人", "Signer"),
    ("add_field", "添加签章框", "Add a field"),
    ("save", "保存", "Save"),
    ("saved", "已保存", "Saved"),
    (
        "flow_not_draft",
        "合同已发起，签章位置不能再修改。",
        "The contract was already sent; fields can no longer change.",
    ),
    ("js_required", "此页面需要启用 JavaScript。", "This page needs JavaScript."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut keys = std::collections::HashSet::new();
        for (key, zh, en) in MESSAGES {
            assert!(keys.insert(*key), "duplicate message key {key}");
            assert!(!zh.is_empty() && !en.is_empty(), "empty text for {key}");
        }
    }

    #[test]
    fn negotiation_prefers_choice_then_cookie_then_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::negotiate(None, &headers), Lang::Zh);
        headers.insert(ACCEPT_LANGUAGE, "en-US,en;q=0.9,zh;q=0.5".parse().unwrap());
        assert_eq!(Lang::negotiate(None, &headers), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh"), &headers), Lang::Zh);
        headers.insert(axum::http::header::COOKIE, "a=b; signet_lang=zh".parse().unwrap());
        assert_eq!(Lang::negotiate(None, &headers), Lang::Zh);
        headers.insert(ACCEPT_LANGUAGE, "fr,de".parse().unwrap());
        headers.remove(axum::http::header::COOKIE);
        assert_eq!(Lang::negotiate(None, &headers), Lang::Zh);
    }
}
