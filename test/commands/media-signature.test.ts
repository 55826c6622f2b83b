import { expect } from 'chai';
import { guessMediaKind, mediaContentType } from '../../src/commands/media-signature.js';
import { AMR, GIF, JPEG, MP4, PNG, WEBP, isoMedia } from '../support/media.js';

describe('media signatures', () => {
  it('accepts each kind only with its own formats, and names the content type from the bytes', () => {
    const cases: Array<[string, Buffer, Record<'audio' | 'video' | 'image', string | null>]> = [
      ['AMR', AMR, { audio: 'audio/amr', video: null, image: null }],
      ['AMR-WB', Buffer.from('#!AMR-WB\n\x00\x00', 'latin1'), { audio: 'audio/amr-wb', video: null, image: null }],
      ['MP4', MP4, { audio: 'audio/mp4', video: 'video/mp4', image: null }],
      ['3GP', isoMedia('3gp4'), { audio: 'audio/3gpp', video: 'video/3gpp', image: null }],
      ['PNG', PNG, { audio: null, video: null, image: 'image/png' }],
      ['JPEG', JPEG, { audio: null, video: null, image: 'image/jpeg' }],
      ['GIF', GIF, { audio: null, video: null, image: 'image/gif' }],
      ['WebP', WEBP, { audio: null, video: null, image: 'image/webp' }],
      ['text', Buffer.from('#!/bin/sh\necho hi\n'), { audio: null, video: null, image: null }],
      ['empty', Buffer.alloc(0), { audio: null, video: null, image: null }],
      ['HTML', Buffer.from('<html><script>alert(1)</script>'), { audio: null, video: null, image: null }],
    ];
    for (const [name, bytes, expected] of cases) {
      for (const kind of ['audio', 'video', 'image'] as const)
        expect(mediaContentType(kind, bytes.subarray(0, 16)), `${name} as ${kind}`).to.equal(expected[kind]);
    }
  });

  it('guesses the kind of bytes sent without one: M4A is audio, other MP4 video', () => {
    expect(guessMediaKind(AMR)).to.equal('audio');
    expect(guessMediaKind(isoMedia('M4A '))).to.equal('audio');
    expect(guessMediaKind(MP4)).to.equal('video');
    expect(guessMediaKind(PNG)).to.equal('image');
    expect(guessMediaKind(Buffer.from('plain text'))).to.equal(null);
  });
});
