/**
 * `loading="lazy"`: calls `then` once the element comes within 200px of the viewport. A chunk of its
 * own, so that eager buttons (the default) never download it.
 */
export function whenNear(el: Element, then: () => void): IntersectionObserver {
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      then();
    },
    { rootMargin: '200px' },
  );
  observer.observe(el);
  return observer;
}
