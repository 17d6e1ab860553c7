//! `CreateSignOrder`: the request's fields in the order the document lists them, each refusal
//! with the document's code (see `docs/dialects/wosign.md` for the order of the checks).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::apps::App;
use signet_core::wosign::{OrderDocument, OrderRequest, OrderSigner, Party, Place};

use super::error::{
    FORMAT_EMPTY, MATERIAL_EMPTY, ORDER_NUMBER_EMPTY, ORG_NAME_EMPTY, ORG_NO_EMPTY, SIGNER_COUNT, SIGNER_TYPE,
    USER_NAME_EMPTY, USER_NO_EMPTY, WosignError,
};
use super::params::{Object, base64_payload, material, rectangle};
use super::{AppState, WosignConfig};

pub(super) async fn create(
    state: &AppState,
    config: &WosignConfig,
    app: &App,
    body: Object<'_>,
) -> Result<Response, WosignError> {
    let order_number = body.required("orderNumber", || WosignError::new(ORDER_NUMBER_EMPTY, "orderNumber 为空"))?;
    let template_id = body.text("tempid")?;
    let document = match body.text("filebase")? {
        Some(raw) => {
            let format = body.required("fileformat", || WosignError::new(FORMAT_EMPTY, "文档后缀为空"))?;
            let (bytes, _) = base64_payload("filebase", &raw)?;
            Some(OrderDocument { bytes, format })
        }
        None if template_id.is_none() => return Err(WosignError::missing("filebase (or tempid)")),
        None => None,
    };
    let list = body.list("signerlist")?.ok_or_else(|| WosignError::missing("signerlist"))?;
    if list.is_empty() {
        return Err(WosignError::new(SIGNER_COUNT, "签署人数量错误: signerlist is empty"));
    }
    if list.len() > config.max_signers {
        return Err(WosignError::new(SIGNER_COUNT, format!("签署人数量错误: at most {} signers", config.max_signers)));
    }
    let signers = list
        .iter()
        .enumerate()
        .map(|(index, entry)| signer(entry, index, template_id.is_none()))
        .collect::<Result<Vec<_>, _>>()?;
    let request = OrderRequest {
        template_id,
        subject: body.text("subject")?,
        password: body.text("password")?,
        document,
        order_number,
        signers,
        max_signers: config.max_signers,
        signing: config.signing,
    };
    let created = state.signet.wosign_create_order(&app.id, request).await.map_err(WosignError::from_refusal)?;
    // The table names the field orderNumber, the example ordernumber: both are sent.
    Ok(Json(json!({
        "status": 1,
        "errorcode": 0,
        "signid": created.sign_id,
        "orderNumber": created.order_number,
        "ordernumber": created.order_number,
    }))
    .into_response())
}

/// One `signerlist` entry.
fn signer(entry: &Object<'_>, index: usize, places_required: bool) -> Result<OrderSigner, WosignError> {
    let n = index + 1;
    let party = match entry.integer("signType")? {
        None => return Err(WosignError::missing(&format!("signerlist[{n}].signType"))),
        Some(1) => Party::Org {
            name: entry
                .required("orgName", || WosignError::new(ORG_NAME_EMPTY, format!("公司名称为空: signer {n}")))?,
            number: entry
                .required("orgNo", || WosignError::new(ORG_NO_EMPTY, format!("营业执照号为空: signer {n}")))?,
        },
        Some(2) => {
            let name = entry
                .required("userName", || WosignError::new(USER_NAME_EMPTY, format!("用户姓名为空: signer {n}")))?;
            let id_number =
                entry.required("userNo", || WosignError::new(USER_NO_EMPTY, format!("身份证号码为空: signer {n}")))?;
            let country = entry.text("country")?.unwrap_or_else(|| "CN".into()).to_ascii_uppercase();
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(WosignError::parameter("country", format!("signer {n}: expected two letters such as CN")));
            }
            Party::Person { name, id_number, country }
        }
        Some(other) => {
            return Err(WosignError::new(SIGNER_TYPE, format!("签署人类型错误: signer {n}: signType {other}")));
        }
    };
    let empty = |name: &str| WosignError::new(MATERIAL_EMPTY, format!("材料为空: signer {n}: {name}"));
    let pic = material("pic", &entry.required("pic", || empty("pic"))?)?;
    let other_pic = material("otherpic", &entry.required("otherpic", || empty("otherpic"))?)?;
    let stamp = entry.text("stampbase")?.map(|raw| material("stampbase", &raw)).transpose()?;
    // The document spells the list both "Signlist" (table) and "signlist" (example).
    let list = match entry.list("signlist")? {
        Some(list) => Some(list),
        None => entry.list("Signlist")?,
    };
    let mut places = Vec::new();
    for place in list.unwrap_or_default() {
        let page = place
            .integer("pagenumber")?
            .ok_or_else(|| WosignError::missing(&format!("signerlist[{n}].signlist.pagenumber")))?;
        let page = usize::try_from(page)
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| WosignError::parameter("pagenumber", format!("signer {n}: pages count from 1")))?;
        let position =
            place.required("position", || WosignError::missing(&format!("signerlist[{n}].signlist.position")))?;
        places.push(Place { page, rect: rectangle(&position)? });
    }
    if places.is_empty() && places_required {
        return Err(WosignError::missing(&format!("signerlist[{n}].signlist")));
    }
    Ok(OrderSigner { party, stamp, pic, other_pic, places })
}
