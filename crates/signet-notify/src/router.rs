//! One sender for the core, two providers behind it: SMS and e-mail usually go different ways.

use std::sync::Arc;

use async_trait::async_trait;
use signet_core::notify::{Channel, MessageSender, OutgoingMessage};

/// Sends each message through the provider configured for its channel.
#[derive(Clone)]
pub struct ChannelRouter {
    sms: Arc<dyn MessageSender>,
    email: Arc<dyn MessageSender>,
}

impl ChannelRouter {
    pub fn new(sms: Arc<dyn MessageSender>, email: Arc<dyn MessageSender>) -> Self {
        Self { sms, email }
    }
}

impl std::fmt::Debug for ChannelRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelRouter").finish_non_exhaustive()
    }
}

#[async_trait]
impl MessageSender for ChannelRouter {
    async fn send(&self, message: &OutgoingMessage) -> signet_core::Result<()> {
        match message.channel {
            Channel::Sms => self.sms.send(message).await,
            Channel::Email => self.email.send(message).await,
        }
    }
}
