import { describe, expect, it } from '@jest/globals';
import { GATEWAY_METADATA as NEST_GATEWAY, GATEWAY_OPTIONS, MESSAGE_MAPPING_METADATA as NEST_MAPPING, MESSAGE_METADATA as NEST_MESSAGE } from '@nestjs/websockets/internal';
import { MetadataScanner } from '@nestjs/core';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { GATEWAY_METADATA, GATEWAY_OPTIONS_METADATA, MESSAGE_MAPPING_METADATA, MESSAGE_METADATA, gatewayMessages, gatewayNamespace, isGatewayClass } from './gateway-metadata.js';

@WebSocketGateway({ namespace: 'chat' })
class ChatGateway {
  @SubscribeMessage('send')
  send(): void {}

  helper(): void {}

  @SubscribeMessage('typing')
  typing(): void {}
}

describe('gateway metadata', () => {
  it('reads the keys Nest writes gateway and message metadata to', () => {
    expect([GATEWAY_METADATA, GATEWAY_OPTIONS_METADATA, MESSAGE_MAPPING_METADATA, MESSAGE_METADATA]).toEqual([NEST_GATEWAY, GATEWAY_OPTIONS, NEST_MAPPING, NEST_MESSAGE]);
  });

  it('finds a gateway, its normalised namespace and its message handlers in declaration order', () => {
    expect(isGatewayClass(ChatGateway)).toBe(true);
    expect(isGatewayClass(class NotAGateway {})).toBe(false);
    expect(gatewayNamespace(ChatGateway)).toBe('/chat');
    expect(gatewayMessages(ChatGateway, new MetadataScanner()).map(({ methodName, message }) => [methodName, message])).toEqual([['send', 'send'], ['typing', 'typing']]);
  });
});
